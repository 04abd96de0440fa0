namespace Pix.Tests.Xml;

/// <summary>One generated message and how it was made (printed when the checkers disagree on it).</summary>
internal sealed record MessageVariant(string Description, byte[] Xml);
