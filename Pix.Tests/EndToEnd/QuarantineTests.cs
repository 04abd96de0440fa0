using System.Text;
using System.Text.Json;
using Pix.Bench.Samples;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;
using Pix.Server.Signing;
using Pix.Tests.Support;

namespace Pix.Tests.EndToEnd;

/// <summary>Messages that may not reach their receiver: stored in quarantine, answered with an admi.002 on the
/// sender's own stream, audited, sampled; senders failing too often are isolated until an operator releases them.</summary>
public sealed class QuarantineTests
{
    private const string Spi = "00038166";

    private static string BreakEndToEndId(string xml) =>
        System.Text.RegularExpressions.Regex.Replace(xml, "<EndToEndId>E", "<EndToEndId>X");

    /// <summary>Notices are sent off the request path: reads until <paramref name="expected"/> messages came (or 15 s
    /// passed), then once more, so a message too many would show.</summary>
    private static async Task<List<string>> DrainAtLeastAsync(int port, string ispb, int expected)
    {
        using var client = new IcomClient(port);
        var response = await client.StartAsync(ispb);
        var xmls = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (response.Status == 200 || (xmls.Count < expected && DateTime.UtcNow < deadline))
        {
            if (response.Status == 200) xmls.AddRange(IcomClient.Messages(response).Select(m => m.Xml));
            response = await client.GetAsync(response.Header("PI-Pull-Next")!);
        }
        await client.DeleteAsync(response.Header("PI-Pull-Next")!);
        return xmls;
    }

    private static async Task<List<string>> DrainAsync(int port, string ispb)
    {
        using var client = new IcomClient(port);
        var response = await client.StartAsync(ispb);
        var xmls = new List<string>();
        while (response.Status == 200)
        {
            xmls.AddRange(IcomClient.Messages(response).Select(m => m.Xml));
            response = await client.GetAsync(response.Header("PI-Pull-Next")!);
        }
        await client.DeleteAsync(response.Header("PI-Pull-Next")!);
        return xmls;
    }

    [Fact]
    public async Task AFailingMessageIsQuarantinedAndItsSenderGetsAnAdmi002()
    {
        await using var server = await PixServerProcess.StartAsync("embedded", null, ("Pix:Streams:LongPollSeconds", "0.2"));
        var psp = ServerFixture.NewIspb();
        var bad = BreakEndToEndId(TestMessages.Pacs008(psp, Spi, "bad"));
        var bizMsgIdr = System.Text.RegularExpressions.Regex.Match(bad, "<BizMsgIdr>([^<]+)<").Groups[1].Value;
        using var client = new IcomClient(server.Port);
        var created = await client.PostAsync(psp, bad);
        Assert.Equal(201, created.Status);
        var id = created.Header("PI-ResourceId")!;
        var good = await client.PostAsync(psp, TestMessages.Pacs008(psp, Spi, "good"));
        Assert.Equal(201, good.Status);

        // The SPI receives the healthy message only.
        var spiSees = await DrainAsync(server.Port, Spi);
        Assert.Equal(["good"], spiSees.Select(IcomClient.Tag));

        // The sender receives the reject on its own stream, and it passes the checks every message passes.
        var notices = await DrainAtLeastAsync(server.Port, psp, 1);
        var notice = Assert.Single(notices);
        Assert.Contains("https://www.bcb.gov.br/pi/admi.002/1.5", notice);
        Assert.Contains($"<Ref>{bizMsgIdr}</Ref>", notice);
        Assert.True(notice.Contains("EndToEndId"), notice);
        Assert.Contains("<ErrLctn>/Envelope/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/PmtId/EndToEndId</ErrLctn>", notice);
        var check = MessageCheck.Check(Encoding.UTF8.GetBytes(notice), CheckOptions.Unsigned, out var header);
        Assert.True(check.Ok, check.ToString());
        Assert.Equal(Ispb.Parse(psp), header.To);

        // The audit log is written off the request path: give its writer a moment.
        var auditPath = Path.Combine(server.DataDir, "audit", "audit.jsonl");
        string[] audit = [];
        // Compared as parsed JSON: the writer escapes '+' (resource ids are base64) as \u002B.
        static bool IsAbout(string line, string resourceId) =>
            JsonDocument.Parse(line).RootElement.TryGetProperty("resourceId", out var value) && value.GetString() == resourceId;
        for (var i = 0; i < 50 && !audit.Any(l => IsAbout(l, id)); i++)
        {
            await Task.Delay(100);
            audit = File.Exists(auditPath) ? File.ReadAllLines(auditPath) : [];
        }
        var record = JsonDocument.Parse(Assert.Single(audit, l => IsAbout(l, id))).RootElement;
        Assert.Equal("quarantined", record.GetProperty("event").GetString());
        Assert.Equal(psp, record.GetProperty("sender").GetString());
        Assert.Contains("EndToEndId", record.GetProperty("location").GetString());
        Assert.True(File.Exists(Path.Combine(server.DataDir, "samples", id.Replace('/', '_').Replace('+', '-') + ".xml")));
    }

    [Fact]
    public async Task AnUnreadableMessageIsAnsweredWithItsResourceIdAsReference()
    {
        await using var server = await PixServerProcess.StartAsync("memory", null, ("Pix:Streams:LongPollSeconds", "0.2"));
        var psp = ServerFixture.NewIspb();
        using var client = new IcomClient(server.Port);
        var created = await client.PostAsync(psp, "<Envelope><AppHdr>not closed");
        Assert.Equal(201, created.Status);
        var notice = Assert.Single(await DrainAtLeastAsync(server.Port, psp, 1));
        Assert.Contains($"<Ref>{created.Header("PI-ResourceId")}</Ref>", notice);
        Assert.Contains("<RjctgPtyRsn>", notice);
    }

    [Fact]
    public async Task APspAddressingAnotherPspIsQuarantined()
    {
        await using var server = await PixServerProcess.StartAsync("memory", null, ("Pix:Streams:LongPollSeconds", "0.2"));
        var psp = ServerFixture.NewIspb();
        var other = ServerFixture.NewIspb();
        using var client = new IcomClient(server.Port);
        Assert.Equal(201, (await client.PostAsync(psp, TestMessages.Pacs008(psp, other, "direct"))).Status);
        Assert.Empty(await DrainAsync(server.Port, other));
        var notice = Assert.Single(await DrainAtLeastAsync(server.Port, psp, 1));
        Assert.Contains("<RjctgPtyRsn>NotRoutable</RjctgPtyRsn>", notice);
    }

    [Fact]
    public async Task WithSignaturesRequiredTheNoticeIsSignedAndPassesTheSameChecks()
    {
        // Signatures are verified against the sender's certificate: with TLS off, a registry names it.
        var psp = ServerFixture.NewIspb();
        using var folder = new TempDirectory("pix-registry");
        using var key = DevelopmentCertificate.Create();
        var registry = Path.Combine(folder.Path, "participants.json");
        File.WriteAllText(registry, System.Text.Json.JsonSerializer.Serialize(new
        {
            participants = new object[] { new { ispb = psp, signingCertificates = new[] { key.ExportCertificatePem() } }, new { ispb = Spi } },
        }));
        await using var server = await PixServerProcess.StartAsync("memory", null,
            ("Pix:Streams:LongPollSeconds", "0.2"), ("Pix:Xml:RequireSignature", "true"), ("Pix:Participants:Path", registry));
        using var client = new IcomClient(server.Port);
        var signed = SampleMessages.Pacs008(Ispb.Parse(psp), Ispb.Spi, signer: new SpiSignature(key));
        Assert.Equal(201, (await client.PostAsync(psp, signed)).Status);
        // Unsigned: fails the signature rule.
        Assert.Equal(201, (await client.PostAsync(psp, TestMessages.Pacs008(psp, Spi, "unsigned"))).Status);
        Assert.Single(await DrainAsync(server.Port, Spi));
        var notice = Assert.Single(await DrainAtLeastAsync(server.Port, psp, 1));
        var check = MessageCheck.Check(Encoding.UTF8.GetBytes(notice), CheckOptions.Default, out _);
        Assert.True(check.Ok, check.ToString());
        Assert.Contains("Sgntr", notice);
    }

    [Fact]
    public async Task TheSpiIsNeverIsolated()
    {
        await using var server = await PixServerProcess.StartAsync("memory", null, ("Pix:Streams:LongPollSeconds", "0.2"),
            ("Pix:Xml:IsolateMinMessages", "10"), ("Pix:Xml:IsolateAboveRatio", "0.2"));
        var psp = ServerFixture.NewIspb();
        using var client = new IcomClient(server.Port);
        for (var i = 0; i < 8; i++) Assert.Equal(201, (await client.PostAsync(Spi, TestMessages.Pacs008(Spi, psp, $"ok{i}"))).Status);
        for (var i = 0; i < 4; i++) Assert.Equal(201, (await client.PostAsync(Spi, BreakEndToEndId(TestMessages.Pacs008(Spi, psp, $"bad{i}")))).Status);
        Assert.Equal(201, (await client.PostAsync(Spi, TestMessages.Pacs008(Spi, psp, "still-flows"))).Status);
        var delivered = (await DrainAsync(server.Port, psp)).Select(IcomClient.Tag).ToList();
        Assert.Equal(9, delivered.Count);
        Assert.Contains("still-flows", delivered);
        Assert.Equal(4, (await DrainAsync(server.Port, Spi)).Count); // one admi.002 per failing message
    }

    [Fact]
    public async Task ASenderFailingTooOftenIsIsolatedUntilReleased()
    {
        await using var server = await PixServerProcess.StartAsync("memory", null, ("Pix:Streams:LongPollSeconds", "0.2"),
            ("Pix:Xml:IsolateMinMessages", "10"), ("Pix:Xml:IsolateAboveRatio", "0.2"));
        var psp = ServerFixture.NewIspb();
        using var client = new IcomClient(server.Port);
        for (var i = 0; i < 8; i++) Assert.Equal(201, (await client.PostAsync(psp, TestMessages.Pacs008(psp, Spi, $"ok{i}"))).Status);
        for (var i = 0; i < 4; i++) Assert.Equal(201, (await client.PostAsync(psp, BreakEndToEndId(TestMessages.Pacs008(psp, Spi, $"bad{i}")))).Status);
        // Now isolated (the third bad message tipped it): healthy and broken messages alike are quarantined, and a
        // storm of them costs one notice, not one each.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(201, (await client.PostAsync(psp, TestMessages.Pacs008(psp, Spi, $"while-isolated{i}"))).Status);
            Assert.Equal(201, (await client.PostAsync(psp, BreakEndToEndId(TestMessages.Pacs008(psp, Spi, $"storm{i}")))).Status);
        }
        Assert.Equal(8, (await DrainAsync(server.Port, Spi)).Count);
        var notices = await DrainAtLeastAsync(server.Port, psp, 4);
        Assert.Single(notices, n => n.Contains("SenderIsolated"));
        Assert.Equal(3, notices.Count(n => n.Contains("EndToEndId")));
        Assert.Equal(4, notices.Count);

        using var http = new HttpClient();
        var listed = await http.GetStringAsync($"http://127.0.0.1:{server.AdminPort}/admin/v1/quarantine");
        Assert.Contains(psp, listed);
        var release = await http.PostAsync($"http://127.0.0.1:{server.AdminPort}/admin/v1/quarantine/{psp}/release", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, release.StatusCode);
        Assert.Equal(201, (await client.PostAsync(psp, TestMessages.Pacs008(psp, Spi, "after-release"))).Status);
        Assert.Equal(["after-release"], (await DrainAsync(server.Port, Spi)).Select(IcomClient.Tag));
        Assert.Single(await DrainAtLeastAsync(server.Port, psp, 1), n => n.Contains("SenderReleased"));
        var again = await http.PostAsync($"http://127.0.0.1:{server.AdminPort}/admin/v1/quarantine/{psp}/release", null);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task AnOperatorListsReadsAndDeliversAQuarantinedMessageUnderItsOwnId()
    {
        await using var server = await PixServerProcess.StartAsync("embedded", null, ("Pix:Streams:LongPollSeconds", "0.2"));
        var psp = ServerFixture.NewIspb();
        using var client = new IcomClient(server.Port);
        var bad = BreakEndToEndId(TestMessages.Pacs008(psp, Spi, "held"));
        var id = (await client.PostAsync(psp, bad)).Header("PI-ResourceId")!;
        Assert.Empty(await DrainAsync(server.Port, Spi));

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.AdminPort}") };
        var listed = JsonDocument.Parse(await http.GetStringAsync($"/admin/v1/quarantine/messages?from={psp}")).RootElement;
        var entry = Assert.Single(listed.EnumerateArray());
        Assert.Equal(id, entry.GetProperty("resourceId").GetString());
        Assert.Equal(Spi, entry.GetProperty("to").GetString());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await http.GetAsync("/admin/v1/quarantine/messages")).StatusCode);

        var path = $"/admin/v1/quarantine/messages/{Uri.EscapeDataString(id)}";
        Assert.Equal(bad, await http.GetStringAsync(path));
        var delivered = await http.PostAsync(path + "/deliver", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, delivered.StatusCode);
        Assert.Contains("\"delivered\"", await delivered.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.PostAsync(path + "/deliver", null)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(path)).StatusCode);

        using var reader = new IcomClient(server.Port);
        var read = await reader.StartAsync(Spi);
        Assert.Equal([id], IcomClient.Messages(read).Select(m => m.Id));
    }

    [Fact]
    public async Task AQuarantinedMessageDoesNotSwallowItsCorrectedResend()
    {
        await using var server = await PixServerProcess.StartAsync("embedded", null, ("Pix:Streams:LongPollSeconds", "0.2"),
            ("Pix:Xml:IsolateMinMessages", "2"), ("Pix:Xml:IsolateAboveRatio", "0.1"));
        var psp = ServerFixture.NewIspb();
        using var client = new IcomClient(server.Port);
        // Isolated by its first failures, the sender's healthy message is quarantined too...
        var healthy = TestMessages.Pacs008(psp, Spi, "resent");
        Assert.Equal(201, (await client.PostAsync(psp, BreakEndToEndId(TestMessages.Pacs008(psp, Spi, "b1")))).Status);
        Assert.Equal(201, (await client.PostAsync(psp, BreakEndToEndId(TestMessages.Pacs008(psp, Spi, "b2")))).Status);
        var held = (await client.PostAsync(psp, healthy)).Header("PI-ResourceId");
        using var http = new HttpClient();
        Assert.True((await http.PostAsync($"http://127.0.0.1:{server.AdminPort}/admin/v1/quarantine/{psp}/release", null)).IsSuccessStatusCode);
        // ...and once released, resending it (same BizMsgIdr) stores and delivers it under a new id.
        var resent = await client.PostAsync(psp, healthy);
        Assert.Equal(201, resent.Status);
        Assert.NotEqual(held, resent.Header("PI-ResourceId"));
        Assert.Equal(["resent"], (await DrainAsync(server.Port, Spi)).Select(IcomClient.Tag));
    }
}
