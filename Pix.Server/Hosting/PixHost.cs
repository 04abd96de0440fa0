using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Pix.Protocol.Multipart;
using Pix.Protocol.Problems;
using Pix.Protocol.Streams;
using Pix.Server.AspNet;
using Pix.Server.Http;
using Pix.Server.Icom;
using Pix.Server.Ingest;
using Pix.Server.Quarantine;
using Pix.Server.Signing;
using Pix.Server.Streams;
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
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Configuration.AddCommandLine(args, PixOptions.Switches);
        var options = builder.Configuration.GetSection("Pix").Get<PixOptions>() ?? new PixOptions();
        var dataDir = Path.GetFullPath(options.DataDir);
        Directory.CreateDirectory(dataDir);
        var icomEndpoint = ListenAddress.Parse(options.Listen, "Pix:Listen");
        var adminEndpoint = ListenAddress.Parse(options.AdminListen, "Pix:AdminListen");
        // Pix:Http picks the ICOM listener's HTTP layer: "pipeline" (default, our connection middleware) or "aspnet"
        // (Kestrel's own HTTP pipeline + minimal APIs over the same endpoints: the baseline pix-bench compare measures).
        var aspNet = string.Equals(builder.Configuration["Pix:Http"], "aspnet", StringComparison.OrdinalIgnoreCase);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => StoreSelection.Open(options, dataDir, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(options.Streams);
        services.AddSingleton(options.RateLimit);
        services.AddSingleton(options.Http);
        services.AddSingleton(options.ToIngestOptions());
        services.AddSingleton(options.ToQuarantineOptions());
        services.AddSingleton(new PullTokenCodec(TokenKeyFile.LoadOrCreate(dataDir)));
        services.AddSingleton(MultipartWriter.WithRandomBoundary());
        services.AddSingleton(new ProblemXmlWriter(options.Http.ErrorTypeBase));
        services.AddSingleton<ProblemResponder>();
        services.AddSingleton(_ => new Gzip());
        services.AddSingleton<StreamEngine>();
        services.AddSingleton<BatchResponder>();
        services.AddSingleton<StreamEndpoint>();
        services.AddSingleton<SenderRateLimiter>();
        services.AddSingleton<SenderIsolation>();
        services.AddSingleton(sp => new AuditLog(dataDir, sp.GetRequiredService<ILogger<AuditLog>>()));
        services.AddSingleton(sp => new QuarantineDesk(
            sp.GetRequiredService<IQueueStore>(), sp.GetRequiredService<StreamEngine>(), sp.GetRequiredService<SenderIsolation>(),
            sp.GetRequiredService<AuditLog>(), sp.GetRequiredService<PixMetrics>(), sp.GetRequiredService<QuarantineOptions>(),
            dataDir, sp.GetRequiredService<TimeProvider>(), NoticeSigner.Create(options), sp.GetRequiredService<ILogger<QuarantineDesk>>()));
        services.AddSingleton<IngestEndpoint>();
        services.AddSingleton<PixMetrics>();
        services.AddSingleton<QueueGauges>();
        services.AddSingleton<IcomApplication>();
        services.AddSingleton<AspNetIcomHandler>();
        services.AddSingleton(_ => new DateHeader());
        services.AddSingleton(new HttpLimits
        {
            MaxRequestLineBytes = options.Limits.MaxRequestLineBytes,
            MaxHeaderBytes = options.Limits.MaxHeaderBytes,
            // Framing allows a gzip body up to the limit; ingest applies the limit again after inflating.
            MaxBodyBytes = options.Limits.MaxBodyBytes,
        });
        services.AddSingleton(sp => new HttpConnectionHandler(
            sp.GetRequiredService<IcomApplication>(), sp.GetRequiredService<HttpLimits>(), sp.GetRequiredService<ProblemXmlWriter>(),
            sp.GetRequiredService<DateHeader>(), sp.GetRequiredService<ILogger<HttpConnectionHandler>>()));
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(PixMetrics.MeterName)
            // The runtime's own meter: pix-bench compare reads allocated bytes and GC counts from /metrics.
            .AddMeter("System.Runtime")
            .AddPrometheusExporter());

        var listeners = new Listeners();
        builder.Services.AddSingleton(listeners);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(icomEndpoint, listen =>
            {
                listeners.Icom = listen;
                if (!aspNet) listen.UsePixHttp(kestrel.ApplicationServices.GetRequiredService<HttpConnectionHandler>());
            });
            kestrel.Listen(adminEndpoint, listen => listeners.Admin = listen);
        });

        var app = builder.Build();
        app.Services.GetRequiredService<QueueGauges>();
        if (aspNet) AspNetIcomEndpoints.Map(app, () => listeners.Icom!.IPEndPoint!.Port);
        OperatorEndpoints.Map(app);
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
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
