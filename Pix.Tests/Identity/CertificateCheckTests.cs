using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Ids;
using Pix.Server.Identity;
using Pix.Server.Tls;
using Pix.Tests.Support;
using static Pix.Tests.Support.TestCertificates;

namespace Pix.Tests.Identity;

/// <summary>The pieces the listener's identity rests on, checked without a server: CRLs, the client certificate
/// verdicts, CIDR lists and the proxy header's decoding.</summary>
public sealed class CertificateCheckTests : IClassFixture<CertificateCheckTests.Material>
{
    public sealed class Material : IDisposable
    {
        internal TestCertificates Certificates { get; } = new(psps: 2);
        public void Dispose() => Certificates.Dispose();
    }

    private readonly TestCertificates _certificates;

    public CertificateCheckTests(Material material) => _certificates = material.Certificates;

    private X509Certificate2Collection Authorities => [_certificates.Ca];

    private ClientCertificateValidator Validator(int generation = 1, params X509Certificate2[] revoked) =>
        new(Authorities, revoked.Length == 0 ? [] : [RevocationList.Parse(_certificates.Authority.RevocationList(revoked, 7), Authorities)], generation);

    [Fact]
    public void ACrlNamesExactlyTheCertificatesItRevokes()
    {
        var crl = RevocationList.Parse(_certificates.Authority.RevocationList([_certificates.Client(Psp1)], 1), Authorities);
        Assert.Equal(1, crl.Count);
        Assert.True(crl.Revokes(_certificates.Client(Psp1)));
        Assert.False(crl.Revokes(_certificates.Client(Psp2)));
        Assert.NotNull(crl.NextUpdate);

        // The same CRL in PEM, among other text, read from a file.
        var path = _certificates.File("crl-read.pem");
        File.WriteAllText(path, "issued by the lab CA\n" + PemEncoding.WriteString("X509 CRL", _certificates.Authority.RevocationList([_certificates.Client(Psp2)], 2)));
        Assert.True(Assert.Single(RevocationList.ReadFile(path, Authorities)).Revokes(_certificates.Client(Psp2)));
    }

    [Fact]
    public void ACrlWithABadSignatureOrFromAnotherCaIsRefused()
    {
        var der = _certificates.Authority.RevocationList([_certificates.Client(Psp1)], 1);
        // Flip a bit inside the signed part (the last byte of the TBS, well before the signature).
        der[der.Length - 300] ^= 0x01;
        var tampered = Assert.ThrowsAny<CryptographicException>(() => RevocationList.Parse(der, Authorities));
        Assert.Contains("signature", tampered.Message);

        using var other = CertificateAuthority.Create("Another CA");
        var foreign = Assert.ThrowsAny<CryptographicException>(() => RevocationList.Parse(other.RevocationList([], 1), Authorities));
        Assert.Contains("is not one of the client CAs", foreign.Message);
        Assert.ThrowsAny<CryptographicException>(() => RevocationList.Parse([0x30, 0x03, 0x02, 0x01, 0x01], Authorities));
    }

    [Fact]
    public void TheValidatorAcceptsAParticipantAndSaysWhyItRefusesTheRest()
    {
        var validator = Validator(revoked: _certificates.Client(Psp2));
        var accepted = validator.Validate(_certificates.Client(Psp1));
        Assert.True(accepted.IsAccepted);
        Assert.Equal(Ispb.Parse(Psp1), accepted.Ispb);
        Assert.Same(accepted, validator.Validate(_certificates.Client(Psp1)));

        Assert.Equal(CertificateRefusal.Revoked, validator.Validate(_certificates.Client(Psp2)).Refusal);
        using var other = CertificateAuthority.Create("Another CA");
        Assert.Equal(CertificateRefusal.Untrusted, validator.Validate(other.IssueClient(Ispb.Parse(Psp1))).Refusal);
        Assert.Equal(CertificateRefusal.Expired,
            validator.Validate(_certificates.Authority.IssueClient(Ispb.Parse(Psp1), notAfter: DateTimeOffset.UtcNow.AddHours(-2))).Refusal);
        // A server certificate from the right CA is not for client authentication.
        using var server = X509CertificateLoader.LoadCertificateFromFile(_certificates.Set.ServerCertificate);
        Assert.Equal(CertificateRefusal.Untrusted, validator.Validate(server).Refusal);
    }

    [Theory]
    [InlineData("CN=1000000a", false)]
    [InlineData("CN=100000011", false)]
    [InlineData("O=10000001", false)]
    [InlineData("CN=10000001, CN=10000002", false)]
    [InlineData("CN=0003816X, O=Lab", true)]
    public void TheParticipantIsTheSubjectsOneCnWhenItIsAnIspb(string subject, bool accepted)
    {
        // ECDSA: generating its key is cheap, and only the name matters here.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(accepted, ClientCertificateValidator.TryReadIspb(certificate, out _));
    }

    [Fact]
    public void ANewGenerationChecksAgain()
    {
        var first = Validator(generation: 1).Validate(_certificates.Client(Psp1));
        Assert.True(first.IsCurrent(1, DateTime.UtcNow.Ticks));
        Assert.False(first.IsCurrent(2, DateTime.UtcNow.Ticks));
        var second = Validator(generation: 2, _certificates.Client(Psp1)).Validate(_certificates.Client(Psp1));
        Assert.Equal(CertificateRefusal.Revoked, second.Refusal);
    }

    [Fact]
    public void NetworksAreCidrsOrSingleAddresses()
    {
        var networks = TrustedNetworks.Parse("10.0.0.0/8, 192.0.2.7 ,2001:db8::/32", "Pix:Tls:TrustedProxies");
        Assert.Equal(3, networks.Count);
        Assert.True(networks.Contains(System.Net.IPAddress.Parse("10.200.1.1")));
        Assert.True(networks.Contains(System.Net.IPAddress.Parse("::ffff:10.0.0.1")));
        Assert.True(networks.Contains(System.Net.IPAddress.Parse("192.0.2.7")));
        Assert.False(networks.Contains(System.Net.IPAddress.Parse("192.0.2.8")));
        Assert.True(networks.Contains(System.Net.IPAddress.Parse("2001:db8::1")));
        Assert.False(networks.Contains(null));
        var bad = Assert.Throws<ArgumentException>(() => TrustedNetworks.Parse("10.0.0.0/8, ten", "Pix:Tls:TrustedProxies"));
        Assert.Contains("Pix:Tls:TrustedProxies: 'ten'", bad.Message);
    }

    [Fact]
    public void TheProxyHeaderIsUrlEncodedPemWhosePlusSignsStayBase64()
    {
        using var certificate = _certificates.Client(Psp1);
        var pem = certificate.ExportCertificatePem();
        var value = System.Text.Encoding.ASCII.GetBytes(Uri.EscapeDataString(pem));
        Assert.True(ForwardedCertificates.Decode(value, out var decoded));
        Assert.Equal(certificate.Thumbprint, decoded!.Thumbprint);
        // Escaped except for '+', as some terminators leave it: base64 '+' must not become a space.
        var plus = System.Text.Encoding.ASCII.GetBytes(Uri.EscapeDataString(pem).Replace("%2B", "+"));
        Assert.True(ForwardedCertificates.Decode(plus, out decoded));
        Assert.Equal(certificate.Thumbprint, decoded!.Thumbprint);
        Assert.False(ForwardedCertificates.Decode("not%20a%20certificate"u8, out _));
        Assert.False(ForwardedCertificates.Decode("%E0%A4%A"u8, out _));
    }
}
