namespace Pix.Protocol.Signatures;

/// <summary>The algorithm identifiers of the Pix profile (pix-xml.md §1): nothing else is accepted.</summary>
internal static class SignatureAlgorithms
{
    public static ReadOnlySpan<byte> ExclusiveC14N => "http://www.w3.org/2001/10/xml-exc-c14n#"u8;
    public static ReadOnlySpan<byte> EnvelopedSignature => "http://www.w3.org/2000/09/xmldsig#enveloped-signature"u8;
    public static ReadOnlySpan<byte> RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"u8;
    public static ReadOnlySpan<byte> Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256"u8;
}
