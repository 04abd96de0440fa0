using System.Net;

namespace Pix.Server.Hosting;

/// <summary>Reads <c>host:port</c>, <c>http://host:port</c> or <c>[::1]:port</c> into an endpoint; hosts are IP literals or localhost.</summary>
internal static class ListenAddress
{
    public static IPEndPoint Parse(string text, string key)
    {
        var value = text.Trim();
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) value = value[(scheme + 3)..];
        value = value.TrimEnd('/');
        if (value.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)) value = "127.0.0.1" + value[9..];
        if (IPEndPoint.TryParse(value, out var endpoint) && value.Contains(':')) return endpoint;
        throw new ArgumentException($"{key} must be host:port with an IP address (e.g. 127.0.0.1:8080), not '{text}'.");
    }
}
