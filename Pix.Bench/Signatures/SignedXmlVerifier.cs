using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;
using Pix.Server.Signing;

namespace Pix.Bench.Signatures;

/// <summary>
/// Verifies a Pix-profile signature with .NET's SignedXml: the reference <c>SignatureVerifier</c> is measured against
/// (the signature benchmarks) and proven equal to (the differential test). SignedXml cannot resolve the reference
/// without URI: it throws when it reaches it, after it has verified SignatureValue and the references before it. So a
/// signature passes when SignedXml gets that far, the Document reference's digest equals SignedXml's own
/// XmlDsigExcC14NTransform of the Document element, the profile's algorithms and references are used (in the order
/// Pix signs them), and KeyInfo's X509IssuerSerial names the certificate (issuer compared RDN by RDN, in either order).
/// </summary>
public static class SignedXmlVerifier
{
    public static bool Verify(byte[] message, X509Certificate2 signer)
    {
        XmlDocument document;
        SignedXml signed;
        XmlElement body;
        XmlElement signature;
        try
        {
            document = SpiSignature.Load(message);
            var envelope = document.DocumentElement!;
            signature = Child(Child(Child(envelope, "AppHdr"), "Sgntr"), "Signature");
            body = Child(envelope, "Document");
            if (signature.NamespaceURI != SignedXml.XmlDsigNamespaceUrl) return false;
            signed = new SignedXml(document);
            signed.LoadXml(signature);
        }
        catch (Exception e) when (e is XmlException or CryptographicException or FormatException or InvalidOperationException)
        {
            return false;
        }
        if (!FollowsProfile(signed) || !NamesCertificate(signature, signer)) return false;

        using var key = signer.GetRSAPublicKey()!;
        try
        {
            // Not reached with a reference without URI: the signature and every reference before it verified.
            _ = signed.CheckSignature(key);
            return false;
        }
        catch (ArgumentException e) when (e.TargetSite?.DeclaringType == typeof(XmlDsigExcC14NTransform))
        {
        }
        catch (CryptographicException)
        {
            return false;
        }
        var documentReference = (Reference)signed.SignedInfo!.References[2]!;
        return CryptographicOperations.FixedTimeEquals(DocumentDigest(body), documentReference.DigestValue);
    }

    /// <summary>The digest Pix's signer takes for the reference without URI (SpiSignature): exclusive C14N of the
    /// Document element on its own.</summary>
    public static byte[] DocumentDigest(XmlElement body)
    {
        var standalone = new XmlDocument { PreserveWhitespace = true };
        standalone.AppendChild(standalone.ImportNode(body, deep: true));
        var c14n = new XmlDsigExcC14NTransform();
        c14n.LoadInput(standalone);
        using var sha256 = SHA256.Create();
        return c14n.GetDigestedOutput(sha256);
    }

    private static XmlElement Child(XmlElement parent, string localName) =>
        parent.ChildNodes.OfType<XmlElement>().Single(e => e.LocalName == localName);

    private static bool FollowsProfile(SignedXml signed)
    {
        var info = signed.SignedInfo!;
        if (info.CanonicalizationMethod != SignedXml.XmlDsigExcC14NTransformUrl || info.SignatureMethod != SignedXml.XmlDsigRSASHA256Url) return false;
        if (info.References.Count != 3) return false;
        var keyInfoId = signed.KeyInfo.Id;
        var references = info.References.Cast<Reference>().ToArray();
        return !string.IsNullOrEmpty(keyInfoId) && references.All(r => r.DigestMethod == SignedXml.XmlDsigSHA256Url) &&
            references[0].Uri == "#" + keyInfoId && Transforms(references[0], SignedXml.XmlDsigExcC14NTransformUrl) &&
            references[1].Uri == "" && Transforms(references[1], SignedXml.XmlDsigEnvelopedSignatureTransformUrl, SignedXml.XmlDsigExcC14NTransformUrl) &&
            references[2].Uri is null && Transforms(references[2], SignedXml.XmlDsigExcC14NTransformUrl);
    }

    private static bool Transforms(Reference reference, params string[] algorithms)
    {
        var chain = reference.TransformChain;
        if (chain.Count != algorithms.Length) return false;
        for (var i = 0; i < chain.Count; i++)
        {
            if (chain[i].Algorithm != algorithms[i]) return false;
            if (chain[i] is XmlDsigExcC14NTransform { InclusiveNamespacesPrefixList: { Length: > 0 } }) return false;
        }
        return true;
    }

    /// <summary>The one X509IssuerSerial, read as SignedXml's KeyInfoX509Data reads it (inner text, trimmed).</summary>
    private static bool NamesCertificate(XmlElement signature, X509Certificate2 signer)
    {
        var ds = new XmlNamespaceManager(signature.OwnerDocument.NameTable);
        ds.AddNamespace("ds", SignedXml.XmlDsigNamespaceUrl);
        var named = signature.SelectNodes("ds:KeyInfo/ds:X509Data/ds:X509IssuerSerial", ds)!;
        if (named.Count != 1) return false;
        var issuer = named[0]!.SelectSingleNode("ds:X509IssuerName", ds)?.InnerText.Trim();
        var serialText = named[0]!.SelectSingleNode("ds:X509SerialNumber", ds)?.InnerText.Trim();
        return issuer is not null && BigInteger.TryParse(serialText, out var serial) && serial == new BigInteger(signer.GetSerialNumber()) &&
            SameName(issuer, signer.IssuerName);
    }

    private static bool SameName(string text, X500DistinguishedName issuer)
    {
        if (string.Equals(text, issuer.Name, StringComparison.OrdinalIgnoreCase)) return true;
        X500DistinguishedName parsed;
        try
        {
            parsed = new X500DistinguishedName(text);
        }
        catch (CryptographicException)
        {
            return false;
        }
        var mine = Rdns(issuer);
        var theirs = Rdns(parsed);
        return mine.SequenceEqual(theirs) || mine.SequenceEqual(theirs.AsEnumerable().Reverse());
    }

    private static string[] Rdns(X500DistinguishedName name) =>
        name.EnumerateRelativeDistinguishedNames()
            .Select(r => r.GetSingleElementType().Value + "=" + r.GetSingleElementValue()?.ToUpperInvariant())
            .ToArray();
}
