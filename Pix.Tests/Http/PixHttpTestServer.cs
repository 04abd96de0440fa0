using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pix.Protocol.Problems;
using Pix.Server.Http;

namespace Pix.Tests.Http;

/// <summary>A minimal in-process Kestrel host on 127.0.0.1, port 0, serving every connection with the Pix layer.</summary>
internal sealed class PixHttpTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DateHeader _date;

    private PixHttpTestServer(WebApplication app, DateHeader date)
    {
        _app = app;
        _date = date;
    }

    public int Port { get; private set; }

    public static async Task<PixHttpTestServer> StartAsync(HttpLimits? limits = null, IHttpApplication? application = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var date = new DateHeader();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            var handler = new HttpConnectionHandler(application ?? new EchoApplication(), limits ?? new HttpLimits(),
                new ProblemXmlWriter(), date, NullLogger.Instance);
            listen.UsePixHttp(handler);
        }));
        var app = builder.Build();
        var server = new PixHttpTestServer(app, date);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Port = new Uri(address).Port;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _date.Dispose();
    }
}
