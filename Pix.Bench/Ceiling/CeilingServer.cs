using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Pix.Bench.Ceiling;

/// <summary>
/// The raw ceiling every throughput figure is divided by: Kestrel with its defaults but Pix's socket settings, and on the listener a connection
/// middleware that never calls the next one (as Pix's own does) and replays <see cref="RecordedResponses"/>.
/// Kestrel's HTTP/1.1 engine, routing and <c>HttpContext</c> never run; neither does anything of Pix's.
/// </summary>
internal static class CeilingServer
{
    public static WebApplication Build(IPEndPoint endpoint, RecordedResponses responses)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Pix's socket settings (inline continuations, its default with the embedded and memory stores).
        Pix.Server.Hosting.InlineSockets.Enable(builder.WebHost);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endpoint, listen => listen.Use(_ => connection => new CeilingConnection(connection.Transport, responses).RunAsync()));
        });
        return builder.Build();
    }
}
