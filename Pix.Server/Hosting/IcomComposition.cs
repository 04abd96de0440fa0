using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Multipart;
using Pix.Protocol.Problems;
using Pix.Protocol.Streams;
using Pix.Protocol.Xml;
using Pix.Server.Health;
using Pix.Server.Http;
using Pix.Server.Icom;
using Pix.Server.Identity;
using Pix.Server.Ingest;
using Pix.Server.Quarantine;
using Pix.Server.Streams;
using Pix.Server.Telemetry;
using Pix.Storage;
using Pix.Storage.Senders;

namespace Pix.Server.Hosting;

/// <summary>
/// The ICOM object graph, wired once in plain constructor calls: the host registers these parts as its services,
/// and the benchmarks' embedded server builds the very same graph without a host. Disposing is the owner's job
/// (the host's container, or the embedded server).
/// </summary>
internal sealed class IcomComposition
{
    public IcomComposition(IQueueStore store, PixOptions options, string dataDir, TokenKeyRing tokenKeys, IMessageSigner? signer,
        IcomIdentity identity, ILoggerFactory logs, IMeterFactory meters, TimeProvider clock, Pix.Storage.Regions.RegionOwnership? regions = null)
    {
        Store = store;
        Signer = signer;
        // Spans around store operations; without a sampled request the decorator only passes calls through.
        var traced = new TracingQueueStore(store);
        Tracing = new PixTracing(options.Telemetry.TraceSampling);
        Drain = new DrainState();
        StorageHealth = new StorageHealth(store, ProbeDirectory(store, dataDir), TimeSpan.FromSeconds(options.Health.ProbeSeconds), clock,
            logs.CreateLogger<StorageHealth>());
        Metrics = new PixMetrics(meters, clock);
        InFlight = new InFlightRequests(options.Limits.MaxInFlight);
        Engine = new StreamEngine(traced, options.Streams, logs.CreateLogger<StreamEngine>(), clock) { InFlight = InFlight };
        Tokens = new PullTokenCodec(tokenKeys);
        ProblemWriter = new ProblemXmlWriter(options.Http.ErrorTypeBase);
        Problems = new ProblemResponder(ProblemWriter);
        Access = new IcomAccess(identity.Mode, identity.Tls, identity.Registry, Problems);
        var gzip = new Gzip();
        var quarantineOptions = options.ToQuarantineOptions();
        Senders = SenderGates.For(store, new SenderGateSettings(options.RateLimit.Capacity, options.RateLimit.RefillPerSecond,
            quarantineOptions.IsolateAboveRatio, quarantineOptions.IsolateMinMessages, quarantineOptions.WindowSeconds), clock);
        Audit = new AuditLog(dataDir, logs.CreateLogger<AuditLog>());
        Notices = new NoticeDispatcher(traced, Engine, signer, logs.CreateLogger<NoticeDispatcher>());
        Quarantine = new QuarantineDesk(traced, Engine, Notices, Senders, Audit, Metrics, quarantineOptions, dataDir, clock,
            logs.CreateLogger<QuarantineDesk>());
        var batches = new BatchResponder(MultipartWriter.WithRandomBoundary(), Tokens, gzip, Quarantine);
        Streams = new StreamEndpoint(Engine, Tokens, batches, Problems, Metrics) { Regions = regions };
        Ingest = new IngestEndpoint(Access, traced, Engine, Senders, options.RateLimit, Quarantine, gzip,
            options.ToIngestOptions(), Problems, Metrics);
        Application = new IcomApplication(Access, Ingest, Streams, Problems, options.Http, Metrics, Drain, Tracing, InFlight)
        {
            Regions = regions is null ? null : new RegionGate(regions, Problems),
        };
        Limits = new HttpLimits
        {
            MaxRequestLineBytes = options.Limits.MaxRequestLineBytes,
            MaxHeaderBytes = options.Limits.MaxHeaderBytes,
            // Framing allows a gzip body up to the limit; ingest applies the limit again after inflating.
            MaxBodyBytes = options.Limits.MaxBodyBytes,
            WriteTimeout = TimeSpan.FromSeconds(options.Limits.WriteTimeoutSeconds),
            RequestTimeout = TimeSpan.FromSeconds(options.Limits.RequestTimeoutSeconds),
            KeepAliveTimeout = TimeSpan.FromSeconds(options.Limits.KeepAliveTimeoutSeconds),
            ForwardedCertificateHeader = identity.Mode == Tls.TlsMode.Proxy ? System.Text.Encoding.ASCII.GetBytes(identity.ProxyHeader) : null,
        };
    }

    /// <summary>The adapter itself (the host disposes it); the parts above talk to it through the tracing decorator.</summary>
    public IQueueStore Store { get; }
    /// <summary>What signs the admi.002 notices (null with signatures off).</summary>
    public IMessageSigner? Signer { get; }
    public PixTracing Tracing { get; }
    public DrainState Drain { get; }
    public StorageHealth StorageHealth { get; }
    public PixMetrics Metrics { get; }
    public StreamEngine Engine { get; }
    public PullTokenCodec Tokens { get; }
    public ProblemXmlWriter ProblemWriter { get; }
    public ProblemResponder Problems { get; }
    public ISenderGate Senders { get; }
    public AuditLog Audit { get; }
    public NoticeDispatcher Notices { get; }
    public QuarantineDesk Quarantine { get; }
    public StreamEndpoint Streams { get; }
    public IngestEndpoint Ingest { get; }
    public IcomAccess Access { get; }
    public IcomApplication Application { get; }
    public HttpLimits Limits { get; }
    public InFlightRequests InFlight { get; }
    /// <summary>Pooled bytes held by the ICOM connections (exported as <c>pix_http_buffer_bytes</c>).</summary>
    public RetainedBuffers Buffers { get; } = new();

    // The embedded store writes into {DataDir}/log: the probe proves a new file there can be created and synced.
    private static string? ProbeDirectory(IQueueStore store, string dataDir) =>
        store.Kind == "embedded" ? Path.Combine(dataDir, "log") : null;
}
