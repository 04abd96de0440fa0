using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Pix.Server.Http;

/// <summary>Plugs <see cref="HttpConnectionHandler"/> into a Kestrel listener.</summary>
internal static class HttpListenOptionsExtensions
{
    /// <summary>Every connection of <paramref name="listen"/> is served by <paramref name="handler"/>; call it after
    /// <c>UseHttps</c> so TLS runs first. The listener's own protocol setting no longer matters.</summary>
    public static ListenOptions UsePixHttp(this ListenOptions listen, HttpConnectionHandler handler)
    {
        listen.Use(_ => handler.OnConnectionAsync);
        return listen;
    }
}
