using Pix.Protocol.Xml;

namespace Pix.Protocol.Signatures;

/// <summary>Element paths of the signature's parts, for a failure's location (admi.002 ErrLctn, the audit line).</summary>
internal static class SignaturePaths
{
    public static ReadOnlySpan<byte> Sgntr => "/Envelope/AppHdr/Sgntr"u8;
    public static ReadOnlySpan<byte> Signature => "/Envelope/AppHdr/Sgntr/Signature"u8;
    public static ReadOnlySpan<byte> SignedInfo => "/Envelope/AppHdr/Sgntr/Signature/SignedInfo"u8;
    public static ReadOnlySpan<byte> CanonicalizationMethod => "/Envelope/AppHdr/Sgntr/Signature/SignedInfo/CanonicalizationMethod"u8;
    public static ReadOnlySpan<byte> SignatureMethod => "/Envelope/AppHdr/Sgntr/Signature/SignedInfo/SignatureMethod"u8;
    public static ReadOnlySpan<byte> SignatureValue => "/Envelope/AppHdr/Sgntr/Signature/SignatureValue"u8;
    public static ReadOnlySpan<byte> KeyInfo => "/Envelope/AppHdr/Sgntr/Signature/KeyInfo"u8;
    public static ReadOnlySpan<byte> IssuerSerial => "/Envelope/AppHdr/Sgntr/Signature/KeyInfo/X509Data/X509IssuerSerial"u8;
    public static ReadOnlySpan<byte> Document => "/Envelope/Document"u8;

    public static ElementPath Of(ReadOnlySpan<byte> path)
    {
        var location = default(ElementPath);
        location.Append(path);
        return location;
    }

    /// <summary><c>.../SignedInfo/Reference[n]</c>, then <paramref name="child"/> (e.g. <c>/DigestValue</c>).</summary>
    public static ElementPath OfReference(int index, ReadOnlySpan<byte> child)
    {
        var location = Of(SignedInfo);
        location.Append("/Reference"u8);
        location.AppendIndex(index + 1);
        location.Append(child);
        return location;
    }
}
