using System.Text.Json;
using Pix.Tests.Support;

namespace Pix.Tests.Operations;

/// <summary>
/// <c>Pix:Logging:Json</c>: every log line is one JSON object with the documented fields, a line written inside a
/// sampled request carries its trace and span ids, one about a participant carries its ISPB; and no line, at Debug
/// level, ever holds a stream token or a byte of a message payload.
/// </summary>
public sealed class LogTests
{
    private const string Spi = "00038166";

    [Fact]
    public async Task JsonLogsCarryTraceIdsAndIspbsAndNeverTokensOrPayloads()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var server = await PixServerProcess.StartAsync("embedded", null,
            ("Pix:Logging:Json", "true"), ("Logging:LogLevel:Default", "Debug"),
            ("Pix:Telemetry:OtlpEndpoint", collector.Endpoint), ("Pix:Telemetry:TraceSampling", "1"),
            ("Pix:Streams:LongPollSeconds", "0.2"), ("Pix:Streams:IdleTimeoutSeconds", "1"),
            ("Pix:Xml:IsolateMinMessages", "3"), ("Pix:Xml:IsolateAboveRatio", "0.5"));
        var psp = EndToEnd.ServerFixture.NewIspb();
        const string payloadFragment = "log-probe-7Qx2Vw9Lm";

        using var client = new IcomClient(server.Port);
        Assert.Equal(201, (await client.PostAsync(Spi, TestMessages.Pacs008(Spi, psp, payloadFragment))).Status);
        var first = await client.StartAsync(psp);
        Assert.Equal(200, first.Status);
        var next = first.Header("PI-Pull-Next")!;
        var token = next[(next.LastIndexOf('/') + 1)..];
        var second = await client.GetAsync(next);
        Assert.Equal(204, second.Status);
        Assert.Equal(204, (await client.GetAsync(second.Header("PI-Pull-Next")!)).Status);
        // A superseded token (410), a forged one (404), a malformed request (400): all logged about, none echoed.
        Assert.Equal(410, (await client.GetAsync(next)).Status);
        Assert.Equal(404, (await client.GetAsync($"/api/v1/out/{psp}/stream/{token[..^4]}AAAA")).Status);
        // A schema storm from a PSP: isolated after three broken messages; the warning names the sender.
        var stormer = EndToEnd.ServerFixture.NewIspb();
        for (var i = 0; i < 4; i++)
        {
            var broken = TestMessages.Pacs008(stormer, Spi, payloadFragment).Replace("<EndToEndId>E", "<EndToEndId>X");
            Assert.Equal(201, (await client.PostAsync(stormer, broken)).Status);
        }
        using (var bad = new RawHttpConnection(server.Port))
            Assert.Equal(400, (await bad.SendAsync($"GET /api/v1/out/{psp}/stream/{token} HTTP/1.1\r\nHost: pix\r\nBad Header: x\r\n\r\n")).Status);
        // An abandoned stream expires (an Information line about the ISPB, from the sweeper).
        await DrainTests.WaitUntilAsync(() => Task.FromResult(server.Output.Contains("expired after idling")), 10);

        var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.DoesNotContain(lines, l => l.Contains(token, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(payloadFragment, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("<Document>", StringComparison.Ordinal) || l.Contains("FIToFICstmrCdtTrf", StringComparison.Ordinal));

        var logs = lines.Where(l => !l.StartsWith("Pix listening on ", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(logs, log =>
        {
            foreach (var field in new[] { "timestamp", "level", "category", "message" }) Assert.True(log.TryGetProperty(field, out _), $"no {field} in {log}");
        });
        var isolated = Assert.Single(logs, l => l.GetProperty("message").GetString()!.Contains("is isolated"));
        Assert.Equal(stormer, isolated.GetProperty("ispb").GetString());
        Assert.Equal(32, isolated.GetProperty("traceId").GetString()!.Length);
        Assert.Equal(16, isolated.GetProperty("spanId").GetString()!.Length);
        var expired = logs.First(l => l.GetProperty("message").GetString()!.Contains("expired after idling"));
        Assert.Equal(psp, expired.GetProperty("ispb").GetString());
    }
}
