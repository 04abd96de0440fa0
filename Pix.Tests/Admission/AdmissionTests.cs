using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Pix.Bench.Embedded;
using Pix.Server;
using Pix.Server.Hosting;
using Pix.Server.Icom;
using Pix.Server.Streams;
using Pix.Storage.Memory;
using Pix.Tests.Http;
using Pix.Tests.Support;

namespace Pix.Tests.Admission;

/// <summary>
/// <c>Pix:Limits:MaxInFlight</c> on the real ICOM application (memory store) over real sockets: past the limit a
/// request gets 503 with Retry-After before any work, counted as <c>pix_throttled_total{cause="inflight"}</c>, and a
/// long poll parked on an empty queue does not hold a place.
/// </summary>
public sealed class AdmissionTests : IAsyncLifetime
{
    private readonly Support.TempDirectory _data = new("pix-admission");
    private readonly List<IcomComposition> _compositions = [];

    [Fact]
    public async Task PastMaxInFlightARequestGets503WithRetryAfterAndTheConnectionStaysUsable()
    {
        var composition = Compose(maxInFlight: 1, longPollSeconds: 0);
        using var throttled = new ThrottledListener(composition.Metrics.Meter);
        await using var server = await PixHttpTestServer.StartAsync(composition.Limits, composition.Application);
        using var client = new IcomClient(server.Port);

        // One request is being worked on elsewhere.
        Assert.True(composition.InFlight.TryEnter());
        var refused = await client.StartAsync("12345678");
        Assert.Equal(503, refused.Status);
        Assert.Equal("1", refused.Header("Retry-After"));
        Assert.Contains("serviceUnavailable", refused.Text);
        Assert.Equal(1, throttled.InFlight);

        composition.InFlight.Exit();
        var served = await client.StartAsync("12345678");
        Assert.Equal(204, served.Status);
        Assert.Equal(0, composition.InFlight.Current);
    }

    [Fact]
    public async Task AParkedLongPollDoesNotHoldAPlace()
    {
        var composition = Compose(maxInFlight: 1, longPollSeconds: 10);
        await using var server = await PixHttpTestServer.StartAsync(composition.Limits, composition.Application);
        using var reader = new IcomClient(server.Port);
        using var sender = new IcomClient(server.Port);

        var poll = reader.StartAsync("12345678", extraHeaders: "", multipart: true);
        Assert.True(await Eventually.TrueAsync(() => composition.InFlight.ParkedCount == 1, TimeSpan.FromSeconds(20)), "the poll did not park");
        Assert.Equal(0, composition.InFlight.Current);

        // With the limit at 1, this is admitted only because the parked poll does not count.
        var posted = await sender.PostAsync("00038166", TestMessages.Pacs008("00038166", "12345678", "admitted"));
        Assert.Equal(201, posted.Status);

        var delivered = await poll.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(200, delivered.Status);
        Assert.Contains("admitted", delivered.Text);
        Assert.True(await Eventually.TrueAsync(() => composition.InFlight.Current == 0 && composition.InFlight.ParkedCount == 0, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void AnExchangeGrownByALargeRequestIsNotPooledAgain()
    {
        var policy = new IcomApplication.ExchangePolicy();
        var exchange = policy.Create();
        Assert.True(policy.Return(exchange));
        // What inflating a 1 MiB gzip body leaves behind.
        exchange.Inflated.GetSpan(1024 * 1024);
        exchange.Inflated.Advance(1024 * 1024);
        Assert.False(policy.Return(exchange));
    }

    private IcomComposition Compose(int maxInFlight, double longPollSeconds)
    {
        var options = new PixOptions
        {
            Streams = new StreamOptions { LongPollSeconds = longPollSeconds, SweepMilliseconds = 20 },
            Limits = new PixOptions.LimitOptions { MaxInFlight = maxInFlight },
            Xml = new PixOptions.XmlOptions { RequireSignature = false },
        };
        var composition = new IcomComposition(new MemoryQueueStore(TimeSpan.Zero), options, _data.Path, Pix.Protocol.Streams.TokenKeyRing.Single(RandomNumberGenerator.GetBytes(32)),
            signer: null, Pix.Server.Identity.IcomIdentity.Off(), NullLoggerFactory.Instance, new BenchMeterFactory(), TimeProvider.System);
        _compositions.Add(composition);
        return composition;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // In the order the benchmarks' embedded server disposes the same graph.
        foreach (var composition in _compositions)
        {
            await composition.Notices.DisposeAsync();
            await composition.Engine.DisposeAsync();
            await composition.Audit.DisposeAsync();
            composition.Metrics.Dispose();
            await composition.Store.DisposeAsync();
        }
        _data.Dispose();
    }

    /// <summary>Counts <c>pix.throttled</c> measurements with cause <c>inflight</c> on one server's meter.</summary>
    private sealed class ThrottledListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private int _inFlight;

        public ThrottledListener(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter == meter && instrument.Name == "pix.throttled") listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "cause" && (string?)tag.Value == "inflight") Interlocked.Add(ref _inFlight, (int)value);
                }
            });
            _listener.Start();
        }

        public int InFlight => Volatile.Read(ref _inFlight);

        public void Dispose() => _listener.Dispose();
    }
}
