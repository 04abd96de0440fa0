namespace Pix.Protocol.Signatures;

/// <summary>Which of the three references (0-based, in SignedInfo order) covers what.</summary>
internal readonly record struct ReferenceRoles(int KeyInfo, int Envelope, int Document);
