using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pix.Server.Tls;

/// <summary>
/// One X.509 CRL (RFC 5280 §5): its issuer, validity and revoked serial numbers, after its signature was checked
/// against the issuing CA. .NET's X509Chain can only use CRLs it fetches itself, and the BCL parses no CRL whose
/// entries one can read, so this reads the DER with <see cref="AsnReader"/>.
/// </summary>
internal sealed class RevocationList
{
    private readonly HashSet<string> _serials;

    private RevocationList(byte[] issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, HashSet<string> serials)
    {
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _serials = serials;
    }

    /// <summary>The issuer's distinguished name, DER.</summary>
    public byte[] Issuer { get; }
    public DateTimeOffset ThisUpdate { get; }
    public DateTimeOffset? NextUpdate { get; }
    public int Count => _serials.Count;

    /// <summary>Whether <paramref name="certificate"/> (issued by this CRL's issuer) is on the list.</summary>
    public bool Revokes(X509Certificate2 certificate) =>
        certificate.IssuerName.RawData.AsSpan().SequenceEqual(Issuer) && _serials.Contains(certificate.SerialNumber);

    /// <summary>Reads every CRL of a file (PEM blocks, or one DER CRL) and checks each one's signature against the CA
    /// of <paramref name="authorities"/> that issued it; throws <see cref="CryptographicException"/> naming the problem.</summary>
    public static List<RevocationList> ReadFile(string path, X509Certificate2Collection authorities)
    {
        var bytes = File.ReadAllBytes(path);
        var lists = new List<RevocationList>();
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            var rest = text.AsSpan();
            while (PemEncoding.TryFind(rest, out var fields))
            {
                if (rest[fields.Label].SequenceEqual("X509 CRL"))
                    lists.Add(Parse(Convert.FromBase64String(rest[fields.Base64Data].ToString()), authorities));
                rest = rest[fields.Location.End..];
            }
            if (lists.Count == 0) throw new CryptographicException($"{path} holds no '-----BEGIN X509 CRL-----' block.");
        }
        else
        {
            lists.Add(Parse(bytes, authorities));
        }
        return lists;
    }

    public static RevocationList Parse(byte[] der, X509Certificate2Collection authorities)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var tbsBytes = outer.PeekEncodedValue().ToArray();
            var tbs = outer.ReadSequence();
            var algorithm = outer.ReadSequence().ReadObjectIdentifier();
            var signature = outer.ReadBitString(out _);

            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer)) tbs.ReadInteger(); // version
            var innerAlgorithm = tbs.ReadSequence().ReadObjectIdentifier();
            if (innerAlgorithm != algorithm) throw new CryptographicException("the CRL's two signature algorithms differ");
            var issuer = tbs.ReadEncodedValue().ToArray();
            var thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = null;
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
                nextUpdate = ReadTime(tbs);
            var serials = new HashSet<string>(StringComparer.Ordinal);
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    serials.Add(Convert.ToHexString(entry.ReadIntegerBytes().Span));
                }
            }

            var issuerCa = authorities.FirstOrDefault(ca => ca.SubjectName.RawData.AsSpan().SequenceEqual(issuer))
                ?? throw new CryptographicException($"its issuer '{new X500DistinguishedName(issuer).Name}' is not one of the client CAs");
            if (!VerifySignature(issuerCa, algorithm, tbsBytes, signature))
                throw new CryptographicException($"its signature does not verify with the key of '{issuerCa.Subject}'");
            return new RevocationList(issuer, thisUpdate, nextUpdate, serials);
        }
        catch (AsnContentException e)
        {
            throw new CryptographicException("it is not a DER X.509 CRL: " + e.Message, e);
        }
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    private static bool VerifySignature(X509Certificate2 issuer, string algorithm, byte[] signed, byte[] signature)
    {
        switch (algorithm)
        {
            case "1.2.840.113549.1.1.11": return VerifyRsa(issuer, signed, signature, HashAlgorithmName.SHA256);
            case "1.2.840.113549.1.1.12": return VerifyRsa(issuer, signed, signature, HashAlgorithmName.SHA384);
            case "1.2.840.113549.1.1.13": return VerifyRsa(issuer, signed, signature, HashAlgorithmName.SHA512);
            case "1.2.840.10045.4.3.2": return VerifyEcdsa(issuer, signed, signature, HashAlgorithmName.SHA256);
            case "1.2.840.10045.4.3.3": return VerifyEcdsa(issuer, signed, signature, HashAlgorithmName.SHA384);
            case "1.2.840.10045.4.3.4": return VerifyEcdsa(issuer, signed, signature, HashAlgorithmName.SHA512);
            default: throw new CryptographicException($"its signature algorithm {algorithm} is not supported (RSA or ECDSA with SHA-2)");
        }
    }

    private static bool VerifyRsa(X509Certificate2 issuer, byte[] signed, byte[] signature, HashAlgorithmName hash)
    {
        using var key = issuer.GetRSAPublicKey() ?? throw new CryptographicException("the CRL is RSA-signed but its CA's key is not RSA");
        return key.VerifyData(signed, signature, hash, RSASignaturePadding.Pkcs1);
    }

    private static bool VerifyEcdsa(X509Certificate2 issuer, byte[] signed, byte[] signature, HashAlgorithmName hash)
    {
        using var key = issuer.GetECDsaPublicKey() ?? throw new CryptographicException("the CRL is ECDSA-signed but its CA's key is not ECDSA");
        return key.VerifyData(signed, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
    }
}
