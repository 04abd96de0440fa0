namespace Pix.Protocol.Signatures;

/// <summary>
/// How .NET came by the nodes it canonicalizes. Each way departs from the C14N specification in its own small way,
/// and the canonical form SignedXml signs and checks is the one Pix must compute.
/// </summary>
internal enum CanonicalSource : byte
{
    /// <summary>SignedXml's <c>URI=""</c>, <c>#id</c> and SignedInfo: the document or element is serialized and parsed
    /// again first, so a CR that came from a reference in text becomes LF (CR LF one LF), and a TAB from a reference in
    /// an attribute value a space.</summary>
    Reparsed,

    /// <summary>XmlDsigExcC14NTransform on an element imported alone into a new document (how Pix's signer, and the
    /// reference point, digest the reference without URI): the namespace declarations of its ancestors are not
    /// imported, so a prefix that only attributes use, declared outside the element, is not declared in the output.
    /// Text is not reparsed.</summary>
    ImportedElement,
}
