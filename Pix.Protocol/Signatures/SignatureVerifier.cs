using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Unicode;
using Pix.Protocol.Xml;

namespace Pix.Protocol.Signatures;

/// <summary>
/// Verifies the XMLDSig signature in <c>AppHdr/Sgntr</c> of an SPI message against its sender's certificate, on the
/// message bytes, per the Pix profile (pix-xml.md §1): exclusive C14N and RSA-SHA256 (PKCS#1 v1.5) over SignedInfo;
/// three SHA-256 references: KeyInfo by Id, <c>URI=""</c> with the enveloped-signature transform (the whole message
/// minus the Signature element), and one without URI for the Document; KeyInfo's X509IssuerSerial naming the
/// certificate. Digests are computed as .NET's SignedXml computes them (see <see cref="CanonicalText"/>), the
/// reference without URI as SignedXml's XmlDsigExcC14NTransform does on the Document element; a differential test
/// holds it to that. Nothing is allocated per message beyond what the BCL's RSA verification allocates (nothing on
/// Linux today): a per-thread SHA-256 and stack buffers (not zeroed first: each is written before it is read).
/// </summary>
[SkipLocalsInit]
public static class SignatureVerifier
{
    private const int ChunkBytes = 4096;
    private const int MaxSignatureBytes = 1024;
    private const int MaxDigestBytes = 64;
    private const int MaxNameBytes = 1024;

    /// <summary>
    /// Call after <see cref="MessageCheck.Check(ReadOnlySpan{byte}, in CheckOptions, out AppHeader)"/> accepted the
    /// message. Returns <see cref="CheckResult.Success"/>, or a failure of kind <see cref="CheckFailure.Signature"/>
    /// whose rule says what is wrong (missing, malformed, unsupported algorithm or transform, which reference's
    /// digest differs, a SignatureValue the key does not verify, an issuer/serial that is not the signer's) and whose
    /// location is the element at fault: ready for the quarantine and its admi.002, as any other check failure.
    /// On bytes MessageCheck refuses the verdict means nothing (it still never throws, nor loops).
    /// </summary>
    /// <summary>The verdict when the server knows no certificate for the sender (no registry entry, no client
    /// certificate): a failure of kind <see cref="CheckFailure.Signature"/> located at <c>AppHdr/Sgntr</c>.</summary>
    public static CheckResult NoCertificate { get; } = NoCertificateResult();

    private static CheckResult NoCertificateResult()
    {
        var location = default(ElementPath);
        location.Append("/Envelope/AppHdr/Sgntr"u8);
        return new CheckResult(CheckFailure.Signature, CheckRule.SignatureNoCertificate, 0, location);
    }

    public static CheckResult Verify(ReadOnlySpan<byte> message, SignerCertificate signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        try
        {
            return VerifyBytes(message, signer);
        }
        catch
        {
            SignatureScratch.Discard();
            throw;
        }
    }

    private static CheckResult VerifyBytes(ReadOnlySpan<byte> message, SignerCertificate signer)
    {
        if (!Utf8.IsValid(message) || message.IndexOfAny(XmlChars.ForbiddenControls) >= 0)
        {
            return Failed(CheckRule.SignatureMalformed, 0, default);
        }
        var layout = new SignatureLayout { Start = message.StartsWith("\uFEFF"u8) ? 3 : 0 };
        var reader = new SignatureReader(message, layout.Start);
        if (!reader.Read(ref layout)) return new CheckResult(CheckFailure.Signature, reader.Rule, reader.FailureOffset, reader.Location);
        var rule = SignatureProfile.Check(message, ref layout, out var roles, out var location);
        if (rule != CheckRule.None) return new CheckResult(CheckFailure.Signature, rule, layout.SignatureStart, location);

        if (!NamesSigner(message, layout, signer)) return Failed(CheckRule.SignatureCertificate, layout.KeyInfoStart, SignaturePaths.IssuerSerial);

        Span<byte> chunk = stackalloc byte[ChunkBytes];
        Span<byte> digest = stackalloc byte[DigestSink.DigestLength];
        // Honest canonical forms are about as long as the message; see DigestSink on why there is a limit at all.
        var limit = 4L * message.Length + 65_536;
        var sink = new DigestSink(SignatureScratch.First, chunk, limit);

        var ok = ExclusiveCanonicalizer.Element(message, layout.SignedInfoStart, layout.SignedInfoScope, CanonicalSource.Reparsed, ref sink);
        sink.Finish(digest);
        if (!ok) return Failed(CheckRule.SignatureMalformed, layout.SignedInfoStart, SignaturePaths.SignedInfo);
        Span<byte> signature = stackalloc byte[MaxSignatureBytes];
        if (!ElementText.DecodeBase64(message, layout.SignatureValue, signature, out var signatureLength))
        {
            return Failed(CheckRule.SignatureMalformed, layout.SignatureValue.Start, SignaturePaths.SignatureValue);
        }
        if (!VerifiesWith(signer, digest, signature[..signatureLength]))
        {
            return Failed(CheckRule.SignatureValue, layout.SignatureValue.Start, SignaturePaths.SignatureValue);
        }

        ok = ExclusiveCanonicalizer.Element(message, layout.KeyInfoStart, layout.KeyInfoScope, CanonicalSource.Reparsed, ref sink);
        sink.Finish(digest);
        var result = Compare(message, layout, roles.KeyInfo, ok, digest, CheckRule.SignatureKeyInfoDigest);
        if (!result.Ok) return result;

        // One walk for the last two: the whole message without the Signature, and within it the Document on its own.
        Span<byte> documentChunk = stackalloc byte[ChunkBytes];
        var document = new DigestSink(SignatureScratch.Second, documentChunk, limit);
        ok = ExclusiveCanonicalizer.DocumentWithout(message, layout.Start, layout.SignatureStart, layout.SignatureEnd, layout.DocumentStart,
            layout.KeyInfoId.Of(message), ref sink, ref document, out var idTaken);
        Span<byte> documentDigest = stackalloc byte[DigestSink.DigestLength];
        sink.Finish(digest);
        document.Finish(documentDigest);
        if (idTaken) return Failed(CheckRule.SignatureMalformed, layout.KeyInfoStart, SignaturePaths.KeyInfo);
        result = Compare(message, layout, roles.Document, ok, documentDigest, CheckRule.SignatureDocumentDigest);
        return result.Ok ? Compare(message, layout, roles.Envelope, ok, digest, CheckRule.SignatureEnvelopeDigest) : result;
    }

    /// <summary>Compares the digest a reference's pass computed with the reference's DigestValue.</summary>
    private static CheckResult Compare(ReadOnlySpan<byte> message, in SignatureLayout layout, int index, bool canonicalized,
        ReadOnlySpan<byte> digest, CheckRule mismatch)
    {
        ref readonly var reference = ref layout.References[index];
        if (!canonicalized) return Failed(CheckRule.SignatureMalformed, reference.DigestValue.Start, SignaturePaths.OfReference(index, default));
        Span<byte> expected = stackalloc byte[MaxDigestBytes];
        if (!ElementText.DecodeBase64(message, reference.DigestValue, expected, out var length))
        {
            return Failed(CheckRule.SignatureMalformed, reference.DigestValue.Start, SignaturePaths.OfReference(index, "/DigestValue"u8));
        }
        return CryptographicOperations.FixedTimeEquals(expected[..length], digest)
            ? CheckResult.Success
            : Failed(mismatch, reference.DigestValue.Start, SignaturePaths.OfReference(index, "/DigestValue"u8));
    }

    private static bool NamesSigner(ReadOnlySpan<byte> message, in SignatureLayout layout, SignerCertificate signer)
    {
        Span<byte> text = stackalloc byte[MaxNameBytes];
        if (!ElementText.Decode(message, layout.SerialNumber, text, out var length) ||
            !SerialNumberText.Matches(text[..length], signer.SerialNumber))
        {
            return false;
        }
        return ElementText.Decode(message, layout.IssuerName, text, out length) && signer.Issuer.Matches(text[..length]);
    }

    private static bool VerifiesWith(SignerCertificate signer, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        try
        {
            return signer.Key.VerifyHash(digest, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static CheckResult Failed(CheckRule rule, int offset, ReadOnlySpan<byte> path) =>
        new(CheckFailure.Signature, rule, offset, SignaturePaths.Of(path));

    private static CheckResult Failed(CheckRule rule, int offset, in ElementPath location) =>
        new(CheckFailure.Signature, rule, offset, location);
}
