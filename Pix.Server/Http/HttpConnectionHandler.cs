using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Problems;

namespace Pix.Server.Http;

/// <summary>
/// Kestrel connection middleware that never calls the next one (the PlatformBenchmarks pattern): Kestrel accepts
/// sockets and does TLS, then Pix reads and writes the connection's pipes itself; Kestrel's HTTP/1.1 engine never runs.
/// </summary>
internal sealed class HttpConnectionHandler(IHttpApplication application, HttpLimits limits, ProblemXmlWriter problems,
    DateHeader date, ILogger logger)
{
    public Task OnConnectionAsync(ConnectionContext connection) =>
        new HttpConnection(connection, application, limits, problems, date, logger).RunAsync();
}
