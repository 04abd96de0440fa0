using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Pix.Server.Http;

/// <summary>Plugs the connection gate and <see cref="HttpConnectionHandler"/> into a Kestrel listener.</summary>
internal static class HttpListenOptionsExtensions
{
    /// <summary>Every connection of <paramref name="listen"/> is served by <paramref name="handler"/>; call it after
    /// <c>UseHttps</c> so TLS runs first. The listener's own protocol setting no longer matters.</summary>
    public static ListenOptions UsePixHttp(this ListenOptions listen, HttpConnectionHandler handler)
    {
        listen.Use(_ => handler.OnConnectionAsync);
        return listen;
    }

    /// <summary>Counts the listener's connections and closes those past <c>Pix:Limits:MaxConnections</c> at once;
    /// call it first, before <c>UseHttps</c>, so a refused connection costs no handshake.</summary>
    public static ListenOptions UseConnectionGate(this ListenOptions listen, ConnectionGate gate)
    {
        listen.Use(next => connection => gate.OnAcceptAsync(connection, next));
        return listen;
    }
}
