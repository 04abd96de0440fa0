using Pix.Tests.Support;
using Xunit.Abstractions;

namespace Pix.Tests.EndToEnd;

/// <summary>
/// kill -9 the real server (embedded store) at random moments while several senders push and several streams pull,
/// restart it on the same data directory, and check the durability contract: every 201 is delivered, nothing
/// acknowledged is delivered again, and the store opens cleanly every time.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private const string Spi = "00038166";

    [Theory]
    [InlineData(1, 11)]
    [InlineData(2, 11)]
    public async Task KillNineAtRandomMomentsLosesNothingAcknowledged(int seed, int kills)
    {
        using var data = new TempDirectory("pix-crash");
        var random = new Random(seed);
        var ledger = new CrashLedger();
        var psps = Enumerable.Range(0, 3).Select(i => $"7{seed}{i:D6}").ToArray();
        var settings = new[] { ("Pix:Streams:LongPollSeconds", "0.3"), ("Pix:Streams:IdleTimeoutSeconds", "1"),
            ("Pix:RateLimit:Capacity", "1000000"), ("Pix:RateLimit:RefillPerSecond", "1000000") };

        for (var round = 0; round < kills; round++)
        {
            await using var server = await PixServerProcess.StartAsync("embedded", data.Path, settings);
            using var stop = new CancellationTokenSource();
            var workers = new List<Task>();
            for (var s = 0; s < 3; s++) workers.Add(SendAsync(server.Port, psps, ledger, new Random(random.Next()), stop.Token));
            foreach (var psp in psps)
            {
                for (var r = 0; r < 2; r++) workers.Add(ReadAsync(server.Port, psp, ledger, stop.Token));
            }
            await Task.Delay(random.Next(150, 1200));
            server.Kill();
            stop.Cancel();
            await Task.WhenAll(workers.Select(w => w.ContinueWith(_ => { })));
            output.WriteLine($"round {round}: {ledger.CreatedCount} created, {ledger.DeliveryCount} deliveries so far");
        }

        // Recovery: one last clean start drains every queue.
        await using (var final = await PixServerProcess.StartAsync("embedded", data.Path, settings))
        {
            // Each restart above opened the store (StartAsync waits for the startup line); this one must drain everything.
            foreach (var psp in psps) await DrainAsync(final, psp, ledger);
        }

        var problems = ledger.Problems().Take(20).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(ledger.CreatedCount > 100, $"only {ledger.CreatedCount} messages were created: the test did not load the server");
    }

    private static async Task SendAsync(int port, string[] psps, CrashLedger ledger, Random random, CancellationToken stop)
    {
        try
        {
            using var client = new IcomClient(port);
            while (!stop.IsCancellationRequested)
            {
                var to = psps[random.Next(psps.Length)];
                var count = random.Next(1, 11);
                var response = await client.PostMultipartAsync(Spi, Enumerable.Range(0, count).Select(_ => TestMessages.Pacs008(Spi, to)));
                if (response.Status == 201) ledger.Created(response.Header("PI-ResourceId")!.Split(','));
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or EndOfStreamException or OperationCanceledException) { }
    }

    private static async Task ReadAsync(int port, string psp, CrashLedger ledger, CancellationToken stop)
    {
        try
        {
            using var client = new IcomClient(port);
            var sentAt = ledger.Tick();
            var response = await client.StartAsync(psp);
            List<string> held = [];
            while (!stop.IsCancellationRequested && response.Status is 200 or 204)
            {
                held = IcomClient.Messages(response).Select(m => m.Id).ToList();
                ledger.Delivered(held, sentAt);
                sentAt = ledger.Tick();
                response = await client.GetAsync(response.Header("PI-Pull-Next")!);
                // This answer proves the previous batch is acknowledged (durably, before the answer was sent).
                if (response.Status is 200 or 204) ledger.Acknowledged(held);
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or EndOfStreamException or OperationCanceledException) { }
    }

    private static async Task DrainAsync(PixServerProcess server, string psp, CrashLedger ledger)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var client = new IcomClient(server.Port);
            var sentAt = ledger.Tick();
            var response = await client.StartAsync(psp);
            if (response.Status == 429)
            {
                await Task.Delay(300); // streams from before the kill hold the slots until they idle out
                continue;
            }
            while (response.Status == 200)
            {
                var ids = IcomClient.Messages(response).Select(m => m.Id).ToList();
                ledger.Delivered(ids, sentAt);
                sentAt = ledger.Tick();
                response = await client.GetAsync(response.Header("PI-Pull-Next")!);
                // Only an answer acknowledges: a stream that idled out meanwhile (1 s here, which a loaded machine
                // can take between two reads) answers otherwise, and its batch goes to the next stream.
                if (response.Status is 200 or 204) ledger.Acknowledged(ids);
            }
            await client.DeleteAsync(response.Header("PI-Pull-Next")!);
            var json = await http.GetStringAsync($"http://127.0.0.1:{server.AdminPort}/admin/v1/ispb/{psp}");
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            if (doc.RootElement.GetProperty("unacknowledged").GetInt64() == 0) return;
            await Task.Delay(300);
        }
        throw new TimeoutException($"the queue of {psp} did not drain");
    }
}
