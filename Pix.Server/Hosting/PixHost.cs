using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Pix.Protocol.Multipart;
using Pix.Protocol.Problems;
using Pix.Protocol.Streams;
using Pix.Server.AspNet;
using Pix.Server.Health;
using Pix.Server.Http;
using Pix.Server.Icom;
using Pix.Server.Identity;
using Pix.Server.Ingest;
using Pix.Server.Logging;
using Pix.Server.Quarantine;
using Pix.Server.Signing;
using Pix.Server.Streams;
using Pix.Server.Telemetry;
using Pix.Storage;

namespace Pix.Server.Hosting;

/// <summary>
/// Assembles the server: configuration, the storage adapter, the stream engine, the ICOM application behind our
/// HTTP/1.1 connection middleware on one listener, and the operator routes on the other.
/// </summary>
public static class PixHost
{
    public static WebApplication Build(string[] args)
    {
        // appsettings.json is read once (the options below are bound at start), so it is not watched for changes: the
        // watcher covers the content root and every folder below it, and `dotnet run` puts the data directory there,
        // so each log write woke it (2 % of the server's core at 10,000 POSTs/s).
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        builder.Configuration.AddCommandLine(args, PixOptions.Switches);
        var options = builder.Configuration.GetSection("Pix").Get<PixOptions>() ?? new PixOptions();
        InlineSockets.Apply(options, builder.WebHost);
        var dataDir = Path.GetFullPath(options.DataDir);
        Directory.CreateDirectory(dataDir);
        var icomEndpoint = ListenAddress.Parse(options.Listen, "Pix:Listen");
        var adminEndpoint = ListenAddress.Parse(options.AdminListen, "Pix:AdminListen");
        // Pix:Http picks the ICOM listener's HTTP layer: "pipeline" (default, our connection middleware) or "aspnet"
        // (Kestrel's own HTTP pipeline + minimal APIs over the same endpoints: the baseline pix-bench compare measures).
        var aspNet = string.Equals(builder.Configuration["Pix:Http"], "aspnet", StringComparison.OrdinalIgnoreCase);
        if (aspNet && options.Tls.ParsedMode != Tls.TlsMode.Off)
            throw new ArgumentException("--Pix:Http aspnet (the comparison baseline) has no identity checks: run it with --Pix:Tls:Mode off.");

        // Regions (Pix:Region): the node's view of who owns which ISPB, kept by the Redis store, read by the gate.
        var regions = Pix.Server.Regions.RegionSetup.Ownership(options);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(sp => IcomIdentity.Create(options, dataDir, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => OperatorToken.Create(options, adminEndpoint, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var logs = sp.GetRequiredService<ILoggerFactory>();
            var store = StoreSelection.Open(options, dataDir, logs, regions);
            return new IcomComposition(store, options, dataDir, TokenKeys.Load(options, dataDir, store),
                NoticeSigner.Create(options, dataDir, logs.CreateLogger("Pix.Server.Signing")), sp.GetRequiredService<IcomIdentity>(),
                logs, sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<TimeProvider>(), regions);
        });
        // The parts the operator routes and the aspnet baseline use; registered by factory, so the container disposes
        // them (the store last writes its checkpoint) when the host stops.
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().Store);
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().Engine);
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().Metrics);
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().Audit);
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().Senders);
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().Notices);
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().Quarantine);
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().Ingest);
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().Streams);
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().Problems);
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().Drain);
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().StorageHealth);
        services.AddSingleton(sp => sp.GetRequiredService<IcomComposition>().Application);
        services.AddSingleton<IHealthSource>(sp => sp.GetRequiredService<StorageHealth>());
        services.AddSingleton<IHealthSource>(sp => sp.GetRequiredService<DrainState>());
        if (regions is not null)
        {
            services.AddSingleton(regions);
            services.AddSingleton<IHealthSource>(new RegionHealth(regions));
            services.AddSingleton(sp => new RegionGauges(sp.GetRequiredService<PixMetrics>(), regions));
        }
        services.AddSingleton<Readiness>();
        services.AddSingleton<QueueGauges>();
        services.AddSingleton<OperationalGauges>();
        services.AddSingleton(sp => new TlsGauges(sp.GetRequiredService<PixMetrics>(), sp.GetRequiredService<IcomIdentity>(),
            sp.GetRequiredService<IcomComposition>().Signer, sp.GetRequiredService<TimeProvider>()));
        // Without TLS clients have no certificate: connections count per remote address only when
        // Pix:Limits:MaxConnectionsPerClient is set. With certificates (mtls, proxy) they count per client certificate.
        var certificates = options.Tls.ParsedMode != Tls.TlsMode.Off;
        var connections = new ConnectionGate(options.Limits.MaxConnections,
            options.Limits.EffectiveMaxConnectionsPerClient(clientsHaveCertificates: certificates), certificates ? new CertificateClientKey() : null);
        services.AddSingleton(connections);
        services.AddSingleton(sp =>
        {
            var composition = sp.GetRequiredService<IcomComposition>();
            return new EdgeGauges(composition.Metrics, connections, composition.Buffers, composition.InFlight);
        });
        services.AddSingleton<NodeDrain>();
        services.AddSingleton<IHostLifetime, DrainLifetime>();
        services.Configure<HostOptions>(host => host.ShutdownTimeout =
            TimeSpan.FromSeconds(Math.Max(1, options.ShutdownSeconds - Math.Max(0, options.DrainSeconds) - 0.5)));
        if (options.Logging.Json)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddConsole(console => console.FormatterName = JsonLineFormatter.Name)
                .AddConsoleFormatter<JsonLineFormatter, ConsoleFormatterOptions>();
        }
        services.AddSingleton<AspNetIcomHandler>();
        services.AddSingleton(_ => new DateHeader());
        services.AddSingleton(sp =>
        {
            var composition = sp.GetRequiredService<IcomComposition>();
            return new HttpConnectionHandler(composition.Application, composition.Limits, composition.ProblemWriter,
                sp.GetRequiredService<DateHeader>(), sp.GetRequiredService<ILogger<HttpConnectionHandler>>(), connections, composition.Buffers);
        });
        AddTelemetry(services, options.Telemetry);

        var listeners = new Listeners();
        builder.Services.AddSingleton(listeners);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(icomEndpoint, listen =>
            {
                listeners.Icom = listen;
                // First on the listener: a connection past Pix:Limits:MaxConnections is closed before any TLS work.
                listen.UseConnectionGate(connections);
                if (aspNet) return;
                kestrel.ApplicationServices.GetRequiredService<IcomIdentity>().ConfigureListener(listen);
                listen.UsePixHttp(kestrel.ApplicationServices.GetRequiredService<HttpConnectionHandler>());
            });
            kestrel.Listen(adminEndpoint, listen => listeners.Admin = listen);
        });

        var app = builder.Build();
        app.Services.GetRequiredService<QueueGauges>();
        app.Services.GetRequiredService<OperationalGauges>();
        app.Services.GetRequiredService<TlsGauges>();
        app.Services.GetRequiredService<EdgeGauges>();
        if (regions is not null) app.Services.GetRequiredService<RegionGauges>();
        // Resolved now, so the container owns (and at shutdown disposes) the outbox's sender from the start.
        app.Services.GetRequiredService<NoticeDispatcher>();
        // Resolved now, so a bad certificate, CA, CRL, registry or token file stops the start with its message.
        app.Services.GetRequiredService<IcomIdentity>();
        app.Services.GetRequiredService<OperatorToken>().Require(app, context => aspNet && context.Connection.LocalPort == listeners.Icom!.IPEndPoint!.Port);
        if (aspNet) AspNetIcomEndpoints.Map(app, () => listeners.Icom!.IPEndPoint!.Port);
        OperatorEndpoints.Map(app);
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>
    /// Metrics on /metrics always; with <c>Pix:Telemetry:OtlpEndpoint</c>, traces (the <c>Pix</c> source, sampled by Pix
    /// itself, see <see cref="PixTracing"/>) and the same metrics go to the collector over OTLP/HTTP protobuf.
    /// </summary>
    private static void AddTelemetry(IServiceCollection services, TelemetryOptions telemetry)
    {
        var endpoint = telemetry.OtlpEndpoint.Trim().TrimEnd('/');
        var interval = (int)Math.Max(100, telemetry.ExportIntervalSeconds * 1000);
        var otel = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("pix"));
        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(PixMetrics.MeterName)
                // The runtime's own meter: pix-bench compare reads allocated bytes and GC counts from /metrics.
                .AddMeter("System.Runtime")
                // Kestrel counts connections below our HTTP layer too: kestrel_active_connections on the dashboard.
                .AddMeter("Microsoft.AspNetCore.Server.Kestrel")
                .AddPrometheusExporter();
            if (endpoint.Length == 0) return;
            metrics.AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = new Uri(endpoint + "/v1/metrics");
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
            });
        });
        if (endpoint.Length == 0) return;
        otel.WithTracing(tracing => tracing
            .AddSource(PixTracing.SourceName)
            // Pix draws its own sample at each request's root; the SDK keeps every span it is handed.
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(exporter =>
            {
                exporter.Endpoint = new Uri(endpoint + "/v1/traces");
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = interval;
            }));
    }

    /// <summary>The bound endpoints once the server started (port 0 resolved to the real port).</summary>
    public static (IPEndPoint Icom, IPEndPoint Admin) BoundEndpoints(WebApplication app)
    {
        var listeners = app.Services.GetRequiredService<Listeners>();
        return (listeners.Icom!.IPEndPoint!, listeners.Admin!.IPEndPoint!);
    }

    internal sealed class Listeners
    {
        public ListenOptions? Icom { get; set; }
        public ListenOptions? Admin { get; set; }
    }
}
