using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pix.Bench.Load;
using Pix.Bench.Reads;
using Pix.Protocol.Ids;
using Pix.Protocol.Signatures;

namespace Pix.Tests.Bench;

/// <summary><c>reads --production</c> and <c>ingest --production</c>: the rows run as Pix ships, so what the client
/// sends must pass the server's signature check, and each Pix row gets its production twin.</summary>
public sealed class ProductionDefaultsTests
{
    [Fact]
    public void AMessageSignedForAProductionRowVerifiesAgainstTheSpiCertificateItsConnectionPresents()
    {
        using var production = ProductionDefaults.Create();
        var factory = new MessageFactory("123456");
        var signed = production.Sign(factory.Pacs008(1, "12345600", valid: true));
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(production.Certificates.ClientCertificate(Ispb.Spi));
        using var signer = SignerCertificate.From(certificate);
        var verdict = SignatureVerifier.Verify(signed, signer);
        Assert.True(verdict.Ok, verdict.ToString());

        // The check is real: one changed byte in the Document fails it.
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("1000.00", "9000.00", StringComparison.Ordinal));
        Assert.False(SignatureVerifier.Verify(tampered, signer).Ok);
    }

    [Fact]
    public void ProductionAddsATwinAfterEachPixRowAndNoneForTheCeiling()
    {
        var rows = ReadConfiguration.Parse("ceiling,pipeline", "memory,embedded", production: true);
        Assert.Equal(["ceiling", "pipeline/memory", "pipeline/memory mTLS+signed", "pipeline/embedded", "pipeline/embedded mTLS+signed"],
            rows.Select(r => r.ToString()));
        Assert.Equal([false, false, true, false, true], rows.Select(r => r.Production));
    }
}
