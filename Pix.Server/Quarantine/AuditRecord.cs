namespace Pix.Server.Quarantine;

/// <summary>One line of the audit log: what happened to which message, and why.</summary>
public sealed record AuditRecord(
    DateTimeOffset Time,
    string Event,
    string Sender,
    string? Receiver,
    string? ResourceId,
    string? Type,
    string? Rule,
    string? Location);
