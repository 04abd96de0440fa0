using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Problems;
using Pix.Server.Http;

namespace Pix.Tests.Http;

/// <summary>
/// A minimal in-process Kestrel host on 127.0.0.1, port 0, serving every connection with the Pix layer. It wires
/// the layer the way the real host is meant to (services, then <c>UsePixHttp</c> on the listener).
/// </summary>
internal sealed class PixHttpTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PixHttpTestServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts the server; with a <paramref name="gate"/> the listener counts and limits connections the way
    /// the host's ICOM listener does (the gate first, then the layer).</summary>
    public static async Task<PixHttpTestServer> StartAsync(HttpLimits? limits = null, IHttpApplication? application = null,
        ConnectionGate? gate = null, RetainedBuffers? buffers = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();

        builder.Services.AddSingleton(limits ?? new HttpLimits());
        builder.Services.AddSingleton(application ?? new EchoApplication());
        builder.Services.AddSingleton(new ProblemXmlWriter());
        builder.Services.AddSingleton<DateHeader>();
        builder.Services.AddSingleton(services => new HttpConnectionHandler(
            services.GetRequiredService<IHttpApplication>(),
            services.GetRequiredService<HttpLimits>(),
            services.GetRequiredService<ProblemXmlWriter>(),
            services.GetRequiredService<DateHeader>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Pix.Server.Http"), gate, buffers));
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            // Only HTTP/1.1 may be negotiated (ALPN, once TLS is on): the layer speaks nothing else.
            listen.Protocols = HttpProtocols.Http1;
            if (gate is not null) listen.UseConnectionGate(gate);
            listen.UsePixHttp(kestrel.ApplicationServices.GetRequiredService<HttpConnectionHandler>());
        }));

        var app = builder.Build();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new PixHttpTestServer(app, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
