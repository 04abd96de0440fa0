using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;
using Pix.Bench.Samples;
using Pix.Protocol.Ids;
using Pix.Server.Tls;
using Pix.Tests.Support;
using static Pix.Tests.Support.TestCertificates;

namespace Pix.Tests.Identity;

/// <summary>With nothing configured Pix serves mutual TLS with development certificates it makes on first start under
/// {DataDir}/dev-certs/ and keeps across restarts, and signs its notices with the SPI's key from that set.</summary>
public sealed class DevelopmentCertificateTests
{
    private static async Task<IcomClient> ConnectAsync(int port, CertificateSet set, string ispb) =>
        new(await RawHttpConnection.ConnectTlsAsync(port, X509Certificate2.CreateFromPemFile(set.ClientCertificate(Ispb.Parse(ispb)), set.ClientKey(Ispb.Parse(ispb))),
            X509CertificateLoader.LoadCertificateFromFile(set.CaCertificate)));

    [Fact]
    public async Task TheDefaultIsMutualTlsWithDevelopmentCertificatesKeptAcrossRestarts()
    {
        using var data = new TempDirectory("pix-dev");
        var set = new CertificateSet(Path.Combine(data.Path, "dev-certs"));
        string caThumbprint;
        // The harness turns TLS off for other tests; mtls with no certificate configured is what `dotnet run` does.
        await using (var server = await PixServerProcess.StartAsync("embedded", data.Path, ("Pix:Tls:Mode", "mtls"), ("Pix:Streams:LongPollSeconds", "0.3")))
        {
            Assert.Contains($"Pix listening on https://127.0.0.1:{server.Port} (ICOM)", server.Output);
            Assert.Contains($"identity: mutual TLS with the development certificates in {set.Directory}", server.Output);
            Assert.Contains("participants 00038166, 10000001, 10000002", server.Output);
            Assert.Contains("Created development certificates", server.Output);
            foreach (var file in new[] { "ca.pem", "ca.key", "server.pem", "server.key", "server.p12", "00038166.p12", "10000001.key", "10000002.pem" })
                Assert.True(File.Exists(Path.Combine(set.Directory, file)), file);
            caThumbprint = X509CertificateLoader.LoadCertificateFromFile(set.CaCertificate).Thumbprint;

            using var spi = await ConnectAsync(server.Port, set, Spi);
            Assert.Equal(201, (await spi.PostAsync(Spi, TestMessages.Pacs008(Spi, Psp1, "kept"))).Status);
        }

        await using (var again = await PixServerProcess.StartAsync("embedded", data.Path, ("Pix:Tls:Mode", "mtls"), ("Pix:Streams:LongPollSeconds", "0.3")))
        {
            Assert.DoesNotContain("Created development certificates", again.Output);
            Assert.Equal(caThumbprint, X509CertificateLoader.LoadCertificateFromFile(set.CaCertificate).Thumbprint);
            using var psp1 = await ConnectAsync(again.Port, set, Psp1);
            var read = await psp1.StartAsync(Psp1);
            Assert.Equal(["kept"], IcomClient.Messages(read).Select(m => IcomClient.Tag(m.Xml)));
        }
    }

    [Fact]
    public async Task NoticesAreSignedWithThePersistedSpiKeyNotOneMadeAtStart()
    {
        using var data = new TempDirectory("pix-dev");
        var set = new CertificateSet(Path.Combine(data.Path, "dev-certs"));
        for (var run = 0; run < 2; run++)
        {
            await using var server = await PixServerProcess.StartAsync("memory", data.Path,
                ("Pix:Tls:Mode", "mtls"), ("Pix:Xml:RequireSignature", "true"), ("Pix:Streams:LongPollSeconds", "0.3"));
            using var client = await ConnectAsync(server.Port, set, Psp1);
            // PSP to PSP, signed with PSP 1's own key: quarantined, and the sender gets an admi.002 Pix signs as the SPI.
            using var psp1 = X509Certificate2.CreateFromPemFile(set.ClientCertificate(Ispb.Parse(Psp1)), set.ClientKey(Ispb.Parse(Psp1)));
            var message = SampleMessages.Pacs008(Ispb.Parse(Psp1), Ispb.Parse(Psp2), signer: new Pix.Server.Signing.SpiSignature(psp1));
            Assert.Equal(201, (await client.PostAsync(Psp1, message)).Status);
            var notice = await FirstMessageAsync(client, Psp1);
            using var spi = X509CertificateLoader.LoadCertificateFromFile(set.ClientCertificate(Ispb.Spi));
            AssertSignedBy(notice, spi);
            // The signing certificate's expiry is exported (PixCertificateExpiry watches it), from the same certificate.
            using var http = new HttpClient();
            var metrics = await http.GetStringAsync($"http://127.0.0.1:{server.AdminPort}/metrics");
            var left = PrometheusText.Value(metrics, "pix_tls_certificate_expiry_seconds", ("certificate", "signing"));
            Assert.NotNull(left);
            Assert.InRange(left.Value, (spi.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalSeconds - 300, (spi.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalSeconds + 300);
        }
    }

    /// <summary>Notices are sent off the request path (the outbox): follow the stream until the first one is there.</summary>
    private static async Task<string> FirstMessageAsync(IcomClient client, string ispb)
    {
        var response = await client.StartAsync(ispb);
        for (var i = 0; i < 60 && response.Status == 204; i++) response = await client.GetAsync(response.Header("PI-Pull-Next")!);
        return IcomClient.Messages(response).Single().Xml;
    }

    private static void AssertSignedBy(string xml, X509Certificate2 certificate)
    {
        var doc = new XmlDocument { PreserveWhitespace = true };
        doc.LoadXml(xml);
        var ds = new XmlNamespaceManager(doc.NameTable);
        ds.AddNamespace("ds", SignedXml.XmlDsigNamespaceUrl);
        var serial = doc.SelectSingleNode("//ds:X509SerialNumber", ds)!.InnerText;
        Assert.Equal(new BigInteger(certificate.GetSerialNumber()).ToString(System.Globalization.CultureInfo.InvariantCulture), serial);
        var signedInfo = new XmlDocument { PreserveWhitespace = true };
        signedInfo.AppendChild(signedInfo.ImportNode(doc.SelectSingleNode("//ds:SignedInfo", ds)!, deep: true));
        var c14n = new XmlDsigExcC14NTransform();
        c14n.LoadInput(signedInfo);
        using var canonical = (Stream)c14n.GetOutput(typeof(Stream));
        using var bytes = new MemoryStream();
        canonical.CopyTo(bytes);
        var value = Convert.FromBase64String(doc.SelectSingleNode("//ds:SignatureValue", ds)!.InnerText);
        using var rsa = certificate.GetRSAPublicKey()!;
        Assert.True(rsa.VerifyData(bytes.ToArray(), value, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }
}
