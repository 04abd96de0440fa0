using Microsoft.AspNetCore.Connections;

namespace Pix.Server.Http;

/// <summary>
/// The connections of one listener: how many are open, in total and per client, against
/// <c>Pix:Limits:MaxConnections</c> (checked at accept, before TLS, by <see cref="OnAcceptAsync"/>) and
/// <c>MaxConnectionsPerClient</c> (checked by the connection handler once TLS has named the client); one past either
/// is closed at once, without an answer. Also counts the connections the layer dropped for a timeout. Read by the
/// operator's metrics (<c>pix_connections_*</c>); nothing here runs per request.
/// </summary>
internal sealed class ConnectionGate
{
    private readonly int _maxConnections;
    private readonly int _maxPerClient;
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _open;
    private long _refusedOverLimit;
    private long _refusedPerClient;
    private long _requestTimeouts;
    private long _writeTimeouts;

    /// <param name="maxConnections">0: no limit.</param>
    /// <param name="maxPerClient">0: no limit per client.</param>
    /// <param name="clientKey">Names the client of a connection; null counts by remote address.</param>
    public ConnectionGate(int maxConnections, int maxPerClient, IConnectionClientKey? clientKey = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxConnections);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPerClient);
        _maxConnections = maxConnections;
        _maxPerClient = maxPerClient;
        ClientKey = clientKey ?? new RemoteAddressKey();
    }

    public IConnectionClientKey ClientKey { get; }

    public int MaxConnections => _maxConnections;

    public int MaxPerClient => _maxPerClient;

    public int Open => Volatile.Read(ref _open);

    public long RefusedOverLimit => Interlocked.Read(ref _refusedOverLimit);

    public long RefusedPerClient => Interlocked.Read(ref _refusedPerClient);

    public long RequestTimeouts => Interlocked.Read(ref _requestTimeouts);

    public long WriteTimeouts => Interlocked.Read(ref _writeTimeouts);

    /// <summary>Connection middleware, first on the listener: counts the connection while the rest of the chain
    /// (TLS, then Pix) runs, or closes it at once when the listener is full.</summary>
    public async Task OnAcceptAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (Interlocked.Increment(ref _open) > _maxConnections && _maxConnections > 0)
        {
            Interlocked.Decrement(ref _open);
            Interlocked.Increment(ref _refusedOverLimit);
            await connection.DisposeAsync();
            return;
        }
        try
        {
            await next(connection);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>Counts one more connection for <paramref name="client"/>; false (nothing counted) past the limit.</summary>
    public bool TryAddClient(string client)
    {
        if (_maxPerClient == 0) return true;
        lock (_lock)
        {
            _perClient.TryGetValue(client, out var count);
            if (count >= _maxPerClient)
            {
                _refusedPerClient++;
                return false;
            }
            _perClient[client] = count + 1;
            return true;
        }
    }

    public void RemoveClient(string client)
    {
        if (_maxPerClient == 0) return;
        lock (_lock)
        {
            // Nothing is kept for a client without connections.
            if (_perClient.TryGetValue(client, out var count) && count > 1) _perClient[client] = count - 1;
            else _perClient.Remove(client);
        }
    }

    public void RequestTimedOut() => Interlocked.Increment(ref _requestTimeouts);

    public void WriteTimedOut() => Interlocked.Increment(ref _writeTimeouts);
}
