using System.Net;
using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Ids;
using Pix.Server.Tls;

namespace Pix.Server.Identity;

/// <summary>
/// What the transport knows about the caller of one ICOM connection, set as a connection feature
/// (<c>connection.Features.Get&lt;PeerIdentity&gt;()</c>) before the HTTP layer runs, and read by
/// <see cref="IcomAccess"/> on every request. Per connection, so a request costs a field read, not a certificate
/// check. In mtls mode <see cref="Participant"/> is known when the connection reaches the HTTP layer; in proxy mode
/// after its first request (the certificate comes in a header).
/// </summary>
public sealed class PeerIdentity(IPAddress? address, bool fromTrustedProxy)
{
    /// <summary>The connection's remote address (IPv4-mapped addresses unwrapped).</summary>
    public IPAddress? Address { get; } = address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;

    /// <summary>Proxy mode: the address is one of <c>Pix:Tls:TrustedProxies</c>.</summary>
    public bool FromTrustedProxy { get; } = fromTrustedProxy;

    /// <summary>mtls: the certificate the client presented in the handshake.</summary>
    public X509Certificate2? ClientCertificate { get; internal set; }

    /// <summary>The latest verdict on the caller's certificate (mtls: the handshake's; proxy: the last forwarded one).</summary>
    public CertificateVerdict? Verdict { get; internal set; }

    /// <summary>The participant this connection acts as, once known and accepted (for per-client limits and logs).</summary>
    public Ispb? Participant => Verdict is { IsAccepted: true } verdict ? verdict.Ispb : null;

    // Proxy mode: the header values of the previous request and what they resolved to, so a connection that forwards
    // the same certificate on every request pays a byte comparison for it.
    internal byte[] ForwardedCertificate = [];
    internal int ForwardedCertificateLength;
    internal byte[] ForwardedFor = [];
    internal int ForwardedForLength;
    internal IPAddress? ForwardedAddress;

    internal static bool Remember(ref byte[] buffer, ref int length, ReadOnlySpan<byte> value)
    {
        if (value.SequenceEqual(buffer.AsSpan(0, length))) return false;
        if (buffer.Length < value.Length) buffer = new byte[Math.Max(value.Length, 256)];
        value.CopyTo(buffer);
        length = value.Length;
        return true;
    }
}
