using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Problems;

namespace Pix.Server.Http;

/// <summary>
/// Kestrel connection middleware that never calls the next one (the PlatformBenchmarks pattern): Kestrel accepts
/// sockets and does TLS, then Pix reads and writes the connection's pipes itself; Kestrel's HTTP/1.1 engine never runs.
/// </summary>
internal sealed class HttpConnectionHandler
{
    private readonly IHttpApplication _application;
    private readonly HttpLimits _limits;
    private readonly ProblemXmlWriter _problems;
    private readonly DateHeader _date;
    private readonly ILogger _logger;

    public HttpConnectionHandler(IHttpApplication application, HttpLimits limits, ProblemXmlWriter problems, DateHeader date, ILogger logger)
    {
        limits.Validate();
        _application = application;
        _limits = limits;
        _problems = problems;
        _date = date;
        _logger = logger;
    }

    public Task OnConnectionAsync(ConnectionContext connection) =>
        new HttpConnection(connection, _application, _limits, _problems, _date, _logger).RunAsync();
}
