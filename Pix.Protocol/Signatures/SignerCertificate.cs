using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Pix.Protocol.Signatures;

/// <summary>
/// A participant's signing certificate, prepared once for <see cref="SignatureVerifier"/>: its RSA public key, its
/// issuer ready to compare with <c>X509IssuerName</c>, and its serial number in decimal as <c>X509SerialNumber</c>
/// writes it. Build one per certificate (when the participant registry loads, or per TLS client certificate, cached
/// by thumbprint) and share it: verifying only reads it, from any number of threads.
/// </summary>
public sealed class SignerCertificate : IDisposable
{
    private SignerCertificate(RSA key, IssuerName issuer, byte[] serialNumber, string subject)
    {
        Key = key;
        Issuer = issuer;
        SerialNumber = serialNumber;
        Subject = subject;
    }

    /// <summary>The certificate's subject, for logs.</summary>
    public string Subject { get; }

    internal RSA Key { get; }

    internal IssuerName Issuer { get; }

    /// <summary>The serial number as a decimal integer (ASCII digits, '-' first if the certificate's is negative).</summary>
    internal byte[] SerialNumber { get; }

    /// <summary>Prepares <paramref name="certificate"/> (only its public part is read; it may be disposed after).</summary>
    /// <exception cref="ArgumentException">The certificate's key is not RSA: the profile signs with RSA-SHA256.</exception>
    public static SignerCertificate From(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var key = certificate.GetRSAPublicKey() ?? throw new ArgumentException(
            $"The certificate '{certificate.Subject}' has no RSA key; the Pix signature profile is RSA-SHA256.", nameof(certificate));
        // GetSerialNumber is little-endian two's complement, as BigInteger reads it: the value XMLDSig writes in decimal.
        var serial = new BigInteger(certificate.GetSerialNumber()).ToString(CultureInfo.InvariantCulture);
        return new SignerCertificate(key, IssuerName.From(certificate.IssuerName), Encoding.ASCII.GetBytes(serial), certificate.Subject);
    }

    public void Dispose() => Key.Dispose();
}
