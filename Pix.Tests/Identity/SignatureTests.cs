using System.Text.Json;
using System.Security.Cryptography.X509Certificates;
using Pix.Bench.Samples;
using Pix.Protocol.Ids;
using Pix.Server.Signing;
using Pix.Tests.Support;
using static Pix.Tests.Support.TestCertificates;

namespace Pix.Tests.Identity;

/// <summary>mtls with signatures required and a registry: the SPI and PSP 1 sign with their client certificates' keys
/// (the registry lists no signing certificate for them), PSP 2 with a separate signing certificate the registry lists.</summary>
public sealed class SignatureFixture : MutualTlsFixture
{
    public X509Certificate2 Psp2Signing { get; } = DevelopmentCertificate.Create();

    protected override IEnumerable<(string Key, string Value)> Settings
    {
        get
        {
            var registry = Certificates.File("participants.json");
            File.WriteAllText(registry, JsonSerializer.Serialize(new
            {
                participants = new object[]
                {
                    new { ispb = Spi }, new { ispb = Psp1 },
                    new { ispb = Psp2, signingCertificates = new[] { Psp2Signing.ExportCertificatePem() } },
                },
            }));
            return [("Pix:Xml:RequireSignature", "true"), ("Pix:Participants:Path", registry),
                ("Logging:LogLevel:Pix.Server.Quarantine", "Information")];
        }
    }
}

/// <summary>Each message's XMLDSig must verify against its sender's certificate: the registry's when it lists one,
/// else the client certificate the message arrived with. A failure is answered 201, quarantined, and the sender gets
/// an admi.002 naming the signature rule; an audit line is written. Never a 5xx.</summary>
public sealed class SignatureTests(SignatureFixture fixture) : IClassFixture<SignatureFixture>
{
    private string Signed(string from, string to, X509Certificate2 key) =>
        SampleMessages.Pacs008(Ispb.Parse(from), Ispb.Parse(to), signer: new SpiSignature(key));

    private async Task<List<string>> ReadAsync(string ispb, int atLeast)
    {
        using var client = await fixture.ConnectAsync(ispb);
        var messages = new List<string>();
        var response = await client.StartAsync(ispb);
        for (var i = 0; i < 60 && (response.Status == 200 || messages.Count < atLeast); i++)
        {
            messages.AddRange(IcomClient.Messages(response).Select(m => m.Xml));
            if (response.Status == 204 && messages.Count >= atLeast) break;
            response = await client.GetAsync(response.Header("PI-Pull-Next")!);
        }
        await client.DeleteAsync(response.Header("PI-Pull-Next")!);
        return messages;
    }

    private static string BizMsgIdr(string xml) => System.Text.RegularExpressions.Regex.Match(xml, "<BizMsgIdr>([^<]+)<").Groups[1].Value;

    [Fact]
    public async Task MessagesSignedWithTheSendersOwnCertificateAreDelivered()
    {
        using var spi = await fixture.ConnectAsync(Spi);
        var fromSpi = Signed(Spi, Psp1, fixture.Certificates.Client(Spi));
        Assert.Equal(201, (await spi.PostAsync(Spi, fromSpi)).Status);
        Assert.Contains(await ReadAsync(Psp1, 1), m => BizMsgIdr(m) == BizMsgIdr(fromSpi));

        // PSP 2's registry entry names its signing certificate: that key, not its TLS key, signs its messages.
        using var psp2 = await fixture.ConnectAsync(Psp2);
        var fromPsp2 = Signed(Psp2, Spi, fixture.Psp2Signing);
        Assert.Equal(201, (await psp2.PostAsync(Psp2, fromPsp2)).Status);
        Assert.Contains(await ReadAsync(Spi, 1), m => BizMsgIdr(m) == BizMsgIdr(fromPsp2));
    }

    [Fact]
    public async Task AMessageThatDoesNotVerifyIsQuarantinedWithASignatureNotice()
    {
        using var psp1 = await fixture.ConnectAsync(Psp1);
        var ownKey = fixture.Certificates.Client(Psp1);
        var otherKey = Signed(Psp1, Spi, fixture.Certificates.Client(Psp4));
        var tampered = Signed(Psp1, Spi, ownKey).Replace("<IntrBkSttlmAmt Ccy=\"BRL\">100.00<", "<IntrBkSttlmAmt Ccy=\"BRL\">900.00<");
        var unsigned = TestMessages.Pacs008(Psp1, Spi, "unsigned");
        // PSP 2 signing with its TLS key, where the registry names another certificate.
        using var psp2 = await fixture.ConnectAsync(Psp2);
        var psp2TlsKey = Signed(Psp2, Spi, fixture.Certificates.Client(Psp2));

        foreach (var message in new[] { otherKey, tampered, unsigned }) Assert.Equal(201, (await psp1.PostAsync(Psp1, message)).Status);
        Assert.Equal(201, (await psp2.PostAsync(Psp2, psp2TlsKey)).Status);

        var notices = await ReadAsync(Psp1, 3);
        Assert.Equal(3, notices.Count);
        Assert.All(notices, n => Assert.Contains("<RjctgPtyRsn>assinatura</RjctgPtyRsn>", n));
        Assert.Contains(notices, n => n.Contains($"<Ref>{BizMsgIdr(otherKey)}</Ref>") && n.Contains("X509IssuerSerial does not name"));
        Assert.Contains(notices, n => n.Contains($"<Ref>{BizMsgIdr(tampered)}</Ref>") && n.Contains("Document changed after signing"));
        Assert.Contains(notices, n => n.Contains($"<Ref>{BizMsgIdr(unsigned)}</Ref>") && n.Contains("Sgntr must hold"));
        Assert.Contains("X509IssuerSerial does not name", Assert.Single(await ReadAsync(Psp2, 1)));

        // None of them reached the SPI, and each is audited.
        var spiSees = (await ReadAsync(Spi, 0)).Select(BizMsgIdr).ToList();
        foreach (var message in new[] { otherKey, tampered, unsigned, psp2TlsKey }) Assert.DoesNotContain(BizMsgIdr(message), spiSees);
        // The audit log is written off the request path: wait for its four lines (event, sender and the signature's location).
        var audit = Path.Combine(fixture.Server.DataDir, "audit", "audit.jsonl");
        var signatureFailures = 0;
        for (var i = 0; i < 100 && signatureFailures < 4; i++)
        {
            await Task.Delay(100);
            signatureFailures = !File.Exists(audit) ? 0 : File.ReadAllLines(audit)
                .Select(line => JsonDocument.Parse(line).RootElement)
                .Count(r => r.GetProperty("event").GetString() == "quarantined"
                    && r.GetProperty("sender").GetString() is Psp1 or Psp2
                    && r.GetProperty("location").GetString()?.StartsWith("/Envelope/AppHdr/Sgntr", StringComparison.Ordinal) == true);
        }
        Assert.Equal(4, signatureFailures);
    }

    [Fact]
    public async Task WithTlsOffAndNoRegistryRequiringSignaturesRefusesToStart()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PixServerProcess.StartAsync("memory", null, ("Pix:Xml:RequireSignature", "true")));
        Assert.Contains("with Pix:Tls:Mode off there is none to verify against: set Pix:Participants:Path", failure.Message);
    }
}
