using Pix.Protocol.Xml;

namespace Pix.Protocol.Signatures;

/// <summary>
/// Judges what <see cref="SignatureReader"/> found against the Pix profile: exclusive C14N and RSA-SHA256 for
/// SignedInfo; exactly three references with SHA-256 digests: one by Id to KeyInfo and one without URI to the
/// Document (each with the exclusive C14N transform alone), and <c>URI=""</c> with enveloped-signature then exclusive
/// C14N; KeyInfo with an Id no other element carries and one X509IssuerSerial.
/// </summary>
internal static class SignatureProfile
{
    public static CheckRule Check(ReadOnlySpan<byte> xml, ref SignatureLayout layout, out ReferenceRoles roles, out ElementPath location)
    {
        roles = default;
        location = default;
        if (!layout.HasSignature)
        {
            location = SignaturePaths.Of(layout.HasSgntr ? SignaturePaths.Sgntr : "/Envelope/AppHdr"u8);
            return CheckRule.SignatureMissing;
        }
        if (!layout.HasDocument) return Fail(SignaturePaths.Document, CheckRule.SignatureMalformed, out location);
        if (!AttributeEquals(layout.CanonicalizationMethod.Of(xml), SignatureAlgorithms.ExclusiveC14N))
        {
            return Fail(SignaturePaths.CanonicalizationMethod, CheckRule.SignatureAlgorithm, out location);
        }
        if (!AttributeEquals(layout.SignatureMethod.Of(xml), SignatureAlgorithms.RsaSha256))
        {
            return Fail(SignaturePaths.SignatureMethod, CheckRule.SignatureAlgorithm, out location);
        }
        var keyInfoId = layout.KeyInfoId.Of(xml);
        if (!layout.KeyInfoId.Found || XmlChars.ReadQName(keyInfoId, 0, out var colon) != keyInfoId.Length || colon >= 0)
        {
            return Fail(SignaturePaths.KeyInfo, CheckRule.SignatureMalformed, out location);
        }
        for (var i = 0; i < layout.IdCount; i++)
        {
            if (AttributeEquals(layout.OtherIds[i].Of(xml), keyInfoId)) return Fail(SignaturePaths.KeyInfo, CheckRule.SignatureMalformed, out location);
        }
        if (layout.ReferenceCount != SignatureLayout.MaxReferences) return Fail(SignaturePaths.SignedInfo, CheckRule.SignatureMalformed, out location);

        int keyInfo = -1, envelope = -1, document = -1;
        Span<byte> uri = stackalloc byte[256];
        for (var r = 0; r < layout.ReferenceCount; r++)
        {
            ref readonly var reference = ref layout.References[r];
            if (!AttributeEquals(reference.DigestMethod.Of(xml), SignatureAlgorithms.Sha256))
            {
                location = SignaturePaths.OfReference(r, "/DigestMethod"u8);
                return CheckRule.SignatureAlgorithm;
            }
            ref var role = ref document;
            if (reference.Uri.Found)
            {
                if (!TextDecoder.AppendAttribute(reference.Uri.Of(xml), uri, out var length)) length = -1;
                if (length == 0) role = ref envelope;
                else if (length == keyInfoId.Length + 1 && uri[0] == '#' && uri[1..length].SequenceEqual(keyInfoId)) role = ref keyInfo;
                else
                {
                    location = SignaturePaths.OfReference(r, default);
                    return CheckRule.SignatureMalformed;
                }
            }
            if (role >= 0)
            {
                location = SignaturePaths.OfReference(r, default);
                return CheckRule.SignatureMalformed;
            }
            role = r;
            var enveloped = reference.Uri.Found && reference.Uri.Start == reference.Uri.End;
            var transforms = enveloped
                ? reference.TransformCount == 2 && AttributeEquals(reference.Transforms[0].Of(xml), SignatureAlgorithms.EnvelopedSignature) &&
                  AttributeEquals(reference.Transforms[1].Of(xml), SignatureAlgorithms.ExclusiveC14N)
                : reference.TransformCount == 1 && AttributeEquals(reference.Transforms[0].Of(xml), SignatureAlgorithms.ExclusiveC14N);
            if (!transforms)
            {
                location = SignaturePaths.OfReference(r, "/Transforms"u8);
                return CheckRule.SignatureTransform;
            }
        }
        if (layout.IssuerSerialCount != 1) return Fail(SignaturePaths.KeyInfo, CheckRule.SignatureMalformed, out location);
        roles = new ReferenceRoles(keyInfo, envelope, document);
        return CheckRule.None;
    }

    /// <summary>An attribute's value (raw) equals <paramref name="expected"/> once normalized and its references expanded.</summary>
    public static bool AttributeEquals(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> expected)
    {
        if (raw.IndexOfAny("&\t\n\r"u8) < 0) return raw.SequenceEqual(expected);
        Span<byte> value = stackalloc byte[256];
        return TextDecoder.AppendAttribute(raw, value, out var length) && value[..length].SequenceEqual(expected);
    }

    private static CheckRule Fail(ReadOnlySpan<byte> path, CheckRule rule, out ElementPath location)
    {
        location = SignaturePaths.Of(path);
        return rule;
    }
}
