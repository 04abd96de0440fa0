using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pix.Server.Tls;

namespace Pix.Server.Identity;

/// <summary>
/// Proxy mode: turns the header a TLS terminator forwards (the verified client certificate, URL-encoded PEM, as
/// nginx's <c>$ssl_client_escaped_cert</c> writes it) into a verdict. Pix checks the chain again rather than trust
/// the terminator's word alone. Verdicts are shared across connections by the SHA-256 of the header bytes, because
/// a terminator that reuses its upstream connections interleaves many participants on one of them.
/// </summary>
internal sealed class ForwardedCertificates
{
    private const int MaxCached = 10_000;
    private readonly ConcurrentDictionary<HeaderHash, CertificateVerdict> _verdicts = new();

    public CertificateVerdict Resolve(ReadOnlySpan<byte> headerValue, TlsMaterial material)
    {
        var hash = HeaderHash.Of(headerValue);
        var now = DateTime.UtcNow.Ticks;
        if (_verdicts.TryGetValue(hash, out var known) && known.IsCurrent(material.Generation, now)) return known;
        var verdict = Decode(headerValue, out var certificate)
            ? material.Clients.Validate(certificate!)
            : CertificateVerdict.Refuse(CertificateRefusal.Malformed, material.Generation);
        if (verdict.IsAccepted)
        {
            if (_verdicts.Count >= MaxCached) _verdicts.Clear();
            _verdicts[hash] = verdict;
        }
        return verdict;
    }

    /// <summary>URL-decodes (percent escapes only: '+' is base64, not a space) and reads the first PEM certificate.</summary>
    public static bool Decode(ReadOnlySpan<byte> headerValue, out X509Certificate2? certificate)
    {
        certificate = null;
        try
        {
            var pem = Uri.UnescapeDataString(System.Text.Encoding.ASCII.GetString(headerValue));
            certificate = X509Certificate2.CreateFromPem(pem);
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or UriFormatException)
        {
            return false;
        }
    }

    private readonly record struct HeaderHash(ulong A, ulong B, ulong C, ulong D)
    {
        public static HeaderHash Of(ReadOnlySpan<byte> value)
        {
            Span<ulong> words = stackalloc ulong[4];
            SHA256.HashData(value, System.Runtime.InteropServices.MemoryMarshal.AsBytes(words));
            return new HeaderHash(words[0], words[1], words[2], words[3]);
        }
    }
}
