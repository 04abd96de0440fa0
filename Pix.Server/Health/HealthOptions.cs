namespace Pix.Server.Health;

/// <summary><c>Pix:Health:*</c>.</summary>
public sealed class HealthOptions
{
    /// <summary>How often the storage probe creates and fsyncs a file in the store's directory; 0 turns it off.</summary>
    public double ProbeSeconds { get; set; } = 1;
}
