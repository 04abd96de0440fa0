namespace Pix.Protocol.Signatures;

/// <summary>What an open element is to the signature reader: a part of the profile it records, or content it only walks.</summary>
internal enum SignaturePart : byte
{
    /// <summary>Outside the signature and not the Document: walked for namespaces and Id attributes only.</summary>
    Other,
    Envelope,
    AppHdr,
    Sgntr,
    Signature,
    SignedInfo,
    CanonicalizationMethod,
    SignatureMethod,
    Reference,
    Transforms,
    Transform,
    DigestMethod,
    DigestValue,
    SignatureValue,
    KeyInfo,
    X509Data,
    X509IssuerSerial,
    X509IssuerName,
    X509SerialNumber,
    /// <summary>A KeyInfo or X509Data child the profile does not use (KeyName, X509Certificate, ...): covered by the
    /// KeyInfo digest, otherwise ignored.</summary>
    Ignored,
    Document,
}
