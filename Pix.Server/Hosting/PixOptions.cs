using Pix.Server.Health;
using Pix.Server.Icom;
using Pix.Server.Ingest;
using Pix.Server.Quarantine;
using Pix.Server.Streams;
using Pix.Server.Telemetry;
using Pix.Server.Tls;

namespace Pix.Server.Hosting;

/// <summary>The <c>Pix</c> configuration section: appsettings.json, environment (<c>Pix__Storage</c>), command line.</summary>
public sealed class PixOptions
{
    /// <summary>ICOM listener, <c>host:port</c> (port 0 picks a free one).</summary>
    public string Listen { get; set; } = "127.0.0.1:8080";
    /// <summary>Operator listener (/healthz, /readyz, /metrics, /admin/v1/...). 9464 is the OpenTelemetry Prometheus
    /// exporter's port; 9090 is Prometheus's own, where a packaged Prometheus listens.</summary>
    public string AdminListen { get; set; } = "127.0.0.1:9464";
    public string DataDir { get; set; } = "./data";
    /// <summary><c>embedded</c> (default, durable), <c>redis</c> (a Redis Cluster shared by several nodes) or
    /// <c>memory</c> (tests); see <c>StoreFactory.Kinds</c>.</summary>
    public string Storage { get; set; } = "embedded";
    public double DedupWindowHours { get; set; } = 24;
    /// <summary>How long fully acknowledged data is kept (embedded store), e.g. <c>7.00:00:00</c>.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
    /// <summary>From SIGTERM to exit at most: the drain, closing connections and the store's last checkpoint.</summary>
    public double ShutdownSeconds { get; set; } = 10;
    /// <summary>How long a draining node keeps answering (readyz 503, new streams 503, every response closing its
    /// connection) before its listeners close, so a load balancer sees it leave; capped by <see cref="ShutdownSeconds"/>.</summary>
    public double DrainSeconds { get; set; } = 2;
    /// <summary><c>Pix:InlineSockets</c>: run socket continuations on the epoll thread that saw them instead of queueing
    /// them to the thread pool (embedded and memory stores only; see <see cref="InlineSockets"/>).</summary>
    public bool InlineSockets { get; set; } = true;

    /// <summary><c>Pix:Region</c>: the region this node runs in (Redis store only; docs/regions.md). Empty: no regions.</summary>
    public string Region { get; set; } = "";
    /// <summary><c>Pix:Regions</c>: every region of the deployment, comma-separated (<c>sp,us</c>); the order splits the
    /// cluster's slots between them.</summary>
    public string Regions { get; set; } = "";
    /// <summary><c>Pix:RegionUrls:{region}</c>: each region's public base URL, named in the 421 a PSP gets elsewhere.</summary>
    public Dictionary<string, string> RegionUrls { get; set; } = [];
    /// <summary><c>Pix:RegionRedis:{region}</c>: the Redis nodes that run in each region (comma-separated host:port),
    /// for the disaster-recovery controller (<c>dr</c>).</summary>
    public Dictionary<string, string> RegionRedis { get; set; } = [];
    /// <summary><c>Pix:RegionNodes:{region}</c>: the operator URLs of each region's Pix nodes, which <c>dr watch</c>
    /// health-checks.</summary>
    public Dictionary<string, string> RegionNodes { get; set; } = [];

    public StreamOptions Streams { get; set; } = new();
    public LimitOptions Limits { get; set; } = new();
    public XmlOptions Xml { get; set; } = new();
    public RateLimitOptions RateLimit { get; set; } = new();
    public IcomHttpOptions Http { get; set; } = new();
    public SigningOptions Signing { get; set; } = new();
    public TelemetryOptions Telemetry { get; set; } = new();
    public HealthOptions Health { get; set; } = new();
    public LoggingOptions Logging { get; set; } = new();
    public RedisOptions Redis { get; set; } = new();
    public TokenOptions Tokens { get; set; } = new();
    public EmbeddedOptions Embedded { get; set; } = new();
    public TlsOptions Tls { get; set; } = new();
    public ParticipantsOptions Participants { get; set; } = new();
    public AdminOptions Admin { get; set; } = new();

    /// <summary>Short switches for the common keys.</summary>
    public static readonly Dictionary<string, string> Switches = new()
    {
        ["--listen"] = "Pix:Listen",
        ["--admin-listen"] = "Pix:AdminListen",
        ["--data"] = "Pix:DataDir",
        ["--storage"] = "Pix:Storage",
    };

    public sealed class LimitOptions
    {
        public int MaxBodyBytes { get; set; } = 1024 * 1024;
        public int MaxRequestLineBytes { get; set; } = 8 * 1024;
        public int MaxHeaderBytes { get; set; } = 32 * 1024;
        /// <summary>Unacknowledged messages a receiver may have before senders to it get 429 (back-pressure).</summary>
        public long MaxBacklog { get; set; } = 200_000;
        /// <summary>How long a store call may wait for the disk before 503 + Retry-After (embedded store).</summary>
        public double StorageTimeoutSeconds { get; set; } = 5;
        /// <summary>Open ICOM connections; one more is closed at accept, before TLS. 0: no limit.</summary>
        public int MaxConnections { get; set; } = 20_000;
        /// <summary>Open ICOM connections per client (its certificate; its address without TLS); one more is closed.
        /// Unset: 64 when clients have certificates, off otherwise (tests and load balancers share one address). 0: off.</summary>
        public int? MaxConnectionsPerClient { get; set; }
        /// <summary>Requests being worked on at once (parked long polls excluded); past it, 503 + Retry-After. 0: no limit.
        /// Most requests in progress wait for durable storage (the group commit's fsync, later a replica), which costs
        /// memory (up to ~64 KiB of pooled scratch each), not CPU: 4096 bounds that to ~256 MiB and the queue behind
        /// a stalled store, far above the peaks seen in normal load (~400 with 1,000 streams on a saturated 2-core VM).</summary>
        public int MaxInFlight { get; set; } = 4096;
        /// <summary>How long one flush of responses may wait for a client that does not read.</summary>
        public double WriteTimeoutSeconds { get; set; } = 30;
        /// <summary>How long a request may take to arrive whole, from its first byte (slow senders are dropped).</summary>
        public double RequestTimeoutSeconds { get; set; } = 30;
        /// <summary>How long a connection may stay idle between requests.</summary>
        public double KeepAliveTimeoutSeconds { get; set; } = 130;

        /// <summary>The per-client connection limit in force: as configured, else 64 when the listener knows clients
        /// by certificate (<c>mtls</c>, <c>proxy</c>), else none.</summary>
        public int EffectiveMaxConnectionsPerClient(bool clientsHaveCertificates) =>
            MaxConnectionsPerClient ?? (clientsHaveCertificates ? 64 : 0);
    }

    /// <summary><c>Pix:Logging:*</c> (levels stay under the standard <c>Logging:LogLevel</c> section).</summary>
    public sealed class LoggingOptions
    {
        /// <summary>One JSON object per line (timestamp, level, category, message, trace and span ids, ISPB).</summary>
        public bool Json { get; set; }
    }

    public sealed class XmlOptions
    {
        public bool RequireSignature { get; set; } = true;
        public int SampleLimit { get; set; } = 100;
        public double IsolateAboveRatio { get; set; } = 0.005;
        public int IsolateMinMessages { get; set; } = 200;
        public double IsolateWindowSeconds { get; set; } = 300;
        /// <summary>How long quarantined messages are kept, whatever <c>Pix:Retention</c> says.</summary>
        public TimeSpan QuarantineRetention { get; set; } = TimeSpan.FromDays(30);
        /// <summary>Quarantined messages kept per sender; beyond it the oldest go first (their audit lines stay).</summary>
        public int QuarantineQuotaPerSender { get; set; } = 100_000;
    }

    /// <summary><c>Pix:Signing:*</c>: the certificate that signs the admi.002 notices Pix writes as the SPI.</summary>
    public sealed class SigningOptions
    {
        /// <summary>PKCS#12, or PEM with <see cref="KeyPath"/>; empty: the development SPI certificate persisted under
        /// <c>{DataDir}/dev-certs/</c> (the same key across restarts).</summary>
        public string CertificatePath { get; set; } = "";
        public string KeyPath { get; set; } = "";
        public string CertificatePassword { get; set; } = "";
    }

    /// <summary><c>Pix:Participants:*</c>: the optional participant registry.</summary>
    public sealed class ParticipantsOptions
    {
        /// <summary>JSON file listing ISPBs, names, networks and signing certificates; empty: no registry.</summary>
        public string Path { get; set; } = "";
    }

    /// <summary><c>Pix:Admin:*</c>: the operator listener's access.</summary>
    public sealed class AdminOptions
    {
        /// <summary>File holding the operator bearer token; required when <see cref="PixOptions.AdminListen"/> is not loopback.</summary>
        public string TokenPath { get; set; } = "";
    }

    /// <summary><c>Pix:Redis:*</c>: the cluster and how durable a write must be before it is answered.</summary>
    public sealed class RedisOptions
    {
        public string Configuration { get; set; } = "";
        public string Durability { get; set; } = "replica";
        public int WaitMilliseconds { get; set; } = 1000;
    }

    /// <summary><c>Pix:Embedded:*</c>: the embedded store.</summary>
    public sealed class EmbeddedOptions
    {
        /// <summary>Open a log with damaged records by setting the damaged bytes aside (in <c>{DataDir}/damaged/</c>,
        /// with a report) and keeping every valid record after them; without it such a log stops the store from opening.</summary>
        public bool Repair { get; set; }

        /// <summary>Memory for the dedup index's newest keys (the rest of the window is on disk, with filters of
        /// under 2 bytes per key in memory).</summary>
        public int DedupCacheMB { get; set; } = 256;

        /// <summary>The size of a log segment, and how much log a checkpoint covers (one per segment): larger means
        /// fewer rolls (each fsyncs the old and the new file and the directory, then writes a checkpoint) and a
        /// longer replay after a crash.</summary>
        public int SegmentMB { get; set; } = 64;
    }

    /// <summary><c>Pix:Tokens:*</c>: the keys that sign <c>PI-Pull-Next</c> tokens.</summary>
    public sealed class TokenOptions
    {
        /// <summary>A file of <c>id:base64</c> lines every node reads; the first key signs, all verify (rotation).</summary>
        public string KeyPath { get; set; } = "";
    }

    public IngestOptions ToIngestOptions() => new()
    {
        MaxBodyBytes = Limits.MaxBodyBytes,
        MaxBacklog = Limits.MaxBacklog,
        RequireSignature = Xml.RequireSignature,
    };

    public QuarantineOptions ToQuarantineOptions() => new()
    {
        SampleLimit = Xml.SampleLimit,
        IsolateAboveRatio = Xml.IsolateAboveRatio,
        IsolateMinMessages = Xml.IsolateMinMessages,
        WindowSeconds = Xml.IsolateWindowSeconds,
    };
}
