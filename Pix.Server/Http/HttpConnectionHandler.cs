using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Problems;

namespace Pix.Server.Http;

/// <summary>
/// Kestrel connection middleware that never calls the next one (the PlatformBenchmarks pattern): Kestrel accepts
/// sockets and does TLS, then Pix reads and writes the connection's pipes itself; Kestrel's HTTP/1.1 engine never runs.
/// A client already holding <c>MaxConnectionsPerClient</c> connections has the new one closed here.
/// </summary>
internal sealed class HttpConnectionHandler
{
    private readonly IHttpApplication _application;
    private readonly HttpLimits _limits;
    private readonly ProblemXmlWriter _problems;
    private readonly DateHeader _date;
    private readonly ILogger _logger;

    public HttpConnectionHandler(IHttpApplication application, HttpLimits limits, ProblemXmlWriter problems, DateHeader date, ILogger logger,
        ConnectionGate? gate = null, RetainedBuffers? buffers = null)
    {
        limits.Validate();
        _application = application;
        _limits = limits;
        _problems = problems;
        _date = date;
        _logger = logger;
        Gate = gate;
        Buffers = buffers;
    }

    /// <summary>Counts connections and timeouts, and limits connections per client; null: no counting.</summary>
    public ConnectionGate? Gate { get; }

    /// <summary>Counts the pooled bytes the connections hold; null: no counting.</summary>
    public RetainedBuffers? Buffers { get; }

    public Task OnConnectionAsync(ConnectionContext connection)
    {
        var client = Gate is { MaxPerClient: > 0 } gate ? gate.ClientKey.KeyOf(connection) : null;
        if (client is null) return Run(connection);
        if (!Gate!.TryAddClient(client))
        {
            HttpConnectionLog.TooManyFromClient(_logger, connection.ConnectionId, Gate.MaxPerClient);
            return Task.CompletedTask;
        }
        return RunCountedAsync(connection, client);
    }

    private async Task RunCountedAsync(ConnectionContext connection, string client)
    {
        try
        {
            await Run(connection);
        }
        finally
        {
            Gate!.RemoveClient(client);
        }
    }

    private Task Run(ConnectionContext connection) =>
        new HttpConnection(connection, _application, _limits, _problems, _date, _logger, Gate, Buffers).RunAsync();
}
