using System.Text.RegularExpressions;
using Pix.Tests.EndToEnd;
using Pix.Tests.Support;
using Pix.Tests.Support.Redis;
using static Pix.Tests.Cluster.ClusterCalls;

namespace Pix.Tests.Cluster;

/// <summary>
/// Two nodes with tight limits on a Redis Cluster of their own (the limits are per sender and per receiver, and the
/// SPI's bucket here is small, so nothing else may share it): the sender's token bucket, the receiver's back-pressure
/// and sender isolation are counted once for the deployment, not once per node.
/// </summary>
public sealed class SharedLimitsTests(SharedLimitsTests.Fixture fixture) : IClassFixture<SharedLimitsTests.Fixture>
{
    private int A => fixture.Nodes.Node(0).Port;
    private int B => fixture.Nodes.Node(1).Port;

    [Fact]
    public async Task TheSendersTokenBucketIsSharedByEveryNode()
    {
        // A PSP addressing another PSP: quarantined (201), so no receiver's backlog gets in the way of the bucket.
        var sender = ServerFixture.NewIspb();
        var other = ServerFixture.NewIspb();
        using var a = new IcomClient(A);
        using var b = new IcomClient(B);
        for (var i = 0; i < Fixture.BucketCapacity; i++)
        {
            var response = await (i % 2 == 0 ? a : b).PostAsync(sender, TestMessages.Pacs008(sender, other));
            Assert.True(response.Status == 201, $"message {i}: {response}");
        }
        // Each node alone has seen half the capacity: only a shared bucket is empty now.
        var refused = await b.PostAsync(sender, TestMessages.Pacs008(sender, other));
        Assert.Equal(429, refused.Status);
        Assert.Contains("bucket", refused.Text);
        Assert.NotNull(refused.Header("Retry-After"));
        Assert.Equal(429, (await a.PostAsync(sender, TestMessages.Pacs008(sender, other))).Status);
    }

    [Fact]
    public async Task BackPressureOnAReceiverIsSharedByEveryNode()
    {
        var psp = ServerFixture.NewIspb();
        await PostAsync(A, psp, Fixture.MaxBacklog);
        using var b = new IcomClient(B);
        var refused = await b.PostAsync(Spi, TestMessages.Pacs008(Spi, psp));
        Assert.Equal(429, refused.Status);
        Assert.Contains("backlog", refused.Text);

        // Reading and acknowledging through B frees the backlog for A too.
        var start = await StartAsync(B, psp);
        Assert.Equal(Fixture.MaxBacklog, Ids(start).Count);
        var next = await GetAsync(A, Next(start));
        Assert.Equal(204, next.Status);
        Assert.Single(await PostAsync(A, psp, 1));
    }

    [Fact]
    public async Task SenderIsolationIsSharedByEveryNode()
    {
        var sender = ServerFixture.NewIspb();
        using var a = new IcomClient(A);
        using var b = new IcomClient(B);
        for (var i = 0; i < Fixture.IsolateMinMessages; i++)
            Assert.Equal(201, (await a.PostAsync(sender, Broken(TestMessages.Pacs008(sender, Spi, $"bad{i}")))).Status);
        // Isolated through A's traffic; B quarantines a healthy message too.
        Assert.Equal(201, (await b.PostAsync(sender, TestMessages.Pacs008(sender, Spi, "while-isolated"))).Status);
        Assert.Equal(0, (await ViewAsync(fixture.Nodes.Node(1), Spi)).Unacknowledged);
        // Notices are sent off the request path: collect them until all are there.
        var notices = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (notices.Count < Fixture.IsolateMinMessages + 1 && clock.Elapsed < TimeSpan.FromSeconds(15)) notices.AddRange(await DrainAsync(B, sender));
        Assert.Equal(Fixture.IsolateMinMessages + 1, notices.Count);
        Assert.Single(notices, n => n.Contains("SenderIsolated", StringComparison.Ordinal));

        // An operator's release on one node lifts it on every node.
        using var http = new HttpClient();
        var release = await http.PostAsync($"http://127.0.0.1:{fixture.Nodes.Node(1).AdminPort}/admin/v1/quarantine/{sender}/release", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, release.StatusCode);
        Assert.Equal(201, (await a.PostAsync(sender, TestMessages.Pacs008(sender, Spi, "after-release"))).Status);
        Assert.Equal(1, (await ViewAsync(fixture.Nodes.Node(0), Spi)).Unacknowledged);
    }

    private static string Broken(string xml) => Regex.Replace(xml, "<EndToEndId>E", "<EndToEndId>X");

    private static async Task<List<string>> DrainAsync(int port, string psp)
    {
        var xmls = new List<string>();
        var response = await StartAsync(port, psp);
        while (response.Status == 200)
        {
            xmls.AddRange(IcomClient.Messages(response).Select(m => m.Xml));
            response = await GetAsync(port, Next(response));
        }
        await DeleteAsync(port, Next(response));
        return xmls;
    }

    public sealed class Fixture : IAsyncLifetime
    {
        public const int BucketCapacity = 20;
        public const int MaxBacklog = 5;
        public const int IsolateMinMessages = 5;

        private RedisCluster? _redis;
        private PixNodes? _nodes;

        internal PixNodes Nodes => _nodes!;

        public async Task InitializeAsync()
        {
            _redis = await RedisCluster.StartAsync();
            _nodes = await PixNodes.StartAsync(_redis, 2,
                ("Pix:Streams:LongPollSeconds", "0.5"),
                ("Pix:Streams:IdleTimeoutSeconds", "5"),
                ("Pix:RateLimit:Capacity", BucketCapacity.ToString()),
                // A token every ten seconds: nothing refills while a test runs.
                ("Pix:RateLimit:RefillPerSecond", "0.1"),
                ("Pix:Limits:MaxBacklog", MaxBacklog.ToString()),
                ("Pix:Xml:IsolateMinMessages", IsolateMinMessages.ToString()),
                ("Pix:Xml:IsolateAboveRatio", "0.2"));
        }

        public async Task DisposeAsync()
        {
            if (_nodes is not null) await _nodes.DisposeAsync();
            if (_redis is not null) await _redis.DisposeAsync();
        }
    }
}
