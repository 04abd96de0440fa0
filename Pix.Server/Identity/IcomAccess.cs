using System.Net;
using Pix.Protocol.Ids;
using Pix.Protocol.Problems;
using Pix.Protocol.Routing;
using Pix.Protocol.Signatures;
using Pix.Server.Hosting;
using Pix.Server.Http;
using Pix.Server.Icom;
using Pix.Server.Tls;

namespace Pix.Server.Identity;

/// <summary>
/// Who is calling, and may they touch the ISPB in the path: run by <see cref="IcomApplication"/> for every request,
/// after routing and before any endpoint reads the body or any state changes. The caller is the participant its
/// client certificate names (mtls: presented in the handshake; proxy: forwarded by a trusted terminator; off: the
/// path, trusted). A caller acts only on its own ISPB: POST <c>/in/{ispb}</c>, GET/DELETE <c>/out/{ispb}/...</c>
/// with another ISPB are 403, answered from the head alone. With a registry, unlisted ISPBs and clients outside
/// their networks are 403 too. Every refusal reads the same whatever the other ISPB's state, so no answer tells a
/// caller anything about another participant's queue. Allocation-free once a connection's identity is known.
/// </summary>
internal sealed class IcomAccess(
    TlsMode mode,
    Reloadable<TlsMaterial>? tls,
    Reloadable<ParticipantRegistry>? registry,
    ProblemResponder problems)
{
    private readonly ForwardedCertificates _forwarded = new();

    public TlsMode Mode => mode;

    /// <summary>The registry in service, or null when none is configured.</summary>
    public ParticipantRegistry? Registry => registry?.Current;

    /// <summary>True when the request may go on; otherwise the 401/403 answer is written.</summary>
    public bool Admit(HttpRequest request, HttpResponse response, in IcomRoute route)
    {
        // Development and tests without a registry: the path is trusted, nothing to look up.
        if (mode == TlsMode.Off && registry is null) return true;
        var peer = request.ConnectionFeatures?.Get<PeerIdentity>();
        Ispb caller;
        IPAddress? address;
        switch (mode)
        {
            case TlsMode.Mtls:
                if (!TryHandshakeCaller(peer, response, out caller)) return false;
                address = peer!.Address;
                break;
            case TlsMode.Proxy:
                if (!TryForwardedCaller(peer, request, response, out caller)) return false;
                address = registry is null ? null : ForwardedAddress(peer!, request);
                break;
            default:
                caller = route.Ispb;
                address = peer?.Address;
                break;
        }
        // An unknown path is 404 for everyone: it names no participant.
        if (route.Kind == IcomRouteKind.Unknown) return true;
        if (caller != route.Ispb)
        {
            problems.Write(response, Problem.Forbidden, "The client certificate names another participant than the path."u8);
            return false;
        }
        if (registry is null) return true;
        var participant = registry.Current.Find(caller);
        if (participant is null)
        {
            problems.Write(response, Problem.Forbidden, "This participant is not registered."u8);
            return false;
        }
        if (!participant.AllowsAddress(address))
        {
            problems.Write(response, Problem.Forbidden, "This participant may not connect from this address."u8);
            return false;
        }
        return true;
    }

    /// <summary>
    /// The certificates the messages of <paramref name="sender"/> on this request must be signed with: the ones the
    /// registry lists for it, else the certificate the caller presented (mtls) or that its terminator forwarded (proxy).
    /// Empty when none is known (TLS off without a registry entry). Allocation-free: prepared once per certificate.
    /// </summary>
    public ReadOnlySpan<SignerCertificate> Signers(HttpRequest request, Ispb sender)
    {
        if (registry?.Current.Find(sender) is { Signers.Length: > 0 } participant) return participant.Signers;
        var verdict = request.ConnectionFeatures?.Get<PeerIdentity>()?.Verdict;
        return verdict is { IsAccepted: true } && verdict.Ispb == sender ? verdict.Signers : default;
    }

    /// <summary>With a registry, whether <paramref name="ispb"/> exists (the SPI may only address registered participants).</summary>
    public bool IsRegistered(Ispb ispb) => registry is null || registry.Current.Find(ispb) is not null;

    private bool TryHandshakeCaller(PeerIdentity? peer, HttpResponse response, out Ispb caller)
    {
        caller = default;
        var verdict = peer?.Verdict;
        if (verdict is null || peer!.ClientCertificate is null)
        {
            // The handshake requires a certificate, so this is a connection that bypassed it: refuse and close.
            response.CloseConnection = true;
            problems.Write(response, Problem.Unauthorized, "No client certificate was presented."u8);
            return false;
        }
        var material = tls!.Current;
        if (!verdict.IsCurrent(material.Generation, DateTime.UtcNow.Ticks))
        {
            // New CA or CRL since the handshake, or the certificate expired while connected: check it again.
            verdict = material.Clients.Validate(peer.ClientCertificate);
            peer.Verdict = verdict;
        }
        if (!verdict.IsAccepted)
        {
            response.CloseConnection = true;
            problems.Write(response, Problem.Forbidden, "The client certificate is no longer accepted (revoked, expired, or its CA was removed)."u8);
            return false;
        }
        caller = verdict.Ispb;
        return true;
    }

    private bool TryForwardedCaller(PeerIdentity? peer, HttpRequest request, HttpResponse response, out Ispb caller)
    {
        caller = default;
        if (peer is null || !peer.FromTrustedProxy)
        {
            problems.Write(response, Problem.Unauthorized, "Client certificates are accepted only when forwarded by a trusted TLS terminator."u8);
            return false;
        }
        var value = request.Header(KnownHeader.ForwardedCertificate);
        if (value.IsEmpty)
        {
            problems.Write(response, Problem.Unauthorized, "No verified client certificate was forwarded."u8);
            return false;
        }
        var material = tls!.Current;
        var verdict = peer.Verdict;
        if (PeerIdentity.Remember(ref peer.ForwardedCertificate, ref peer.ForwardedCertificateLength, value)
            || verdict is null || !verdict.IsCurrent(material.Generation, DateTime.UtcNow.Ticks))
        {
            verdict = _forwarded.Resolve(value, material);
            peer.Verdict = verdict;
        }
        if (!verdict.IsAccepted)
        {
            problems.Write(response, Problem.Unauthorized, RefusalDetail(verdict.Refusal));
            return false;
        }
        caller = verdict.Ispb;
        return true;
    }

    /// <summary>The client's address as the trusted terminator saw it: the last X-Forwarded-For entry (the one it appended).</summary>
    private static IPAddress? ForwardedAddress(PeerIdentity peer, HttpRequest request)
    {
        var value = request.Header(KnownHeader.ForwardedFor);
        if (!PeerIdentity.Remember(ref peer.ForwardedFor, ref peer.ForwardedForLength, value)) return peer.ForwardedAddress;
        var last = value[(value.LastIndexOf((byte)',') + 1)..].Trim(" \t"u8);
        Span<char> text = stackalloc char[Math.Min(last.Length, 64)];
        var length = System.Text.Encoding.ASCII.GetChars(last[..text.Length], text);
        peer.ForwardedAddress = IPAddress.TryParse(text[..length], out var address) ? address : null;
        return peer.ForwardedAddress;
    }

    private static ReadOnlySpan<byte> RefusalDetail(CertificateRefusal refusal) => refusal switch
    {
        CertificateRefusal.Malformed => "The forwarded client certificate is not a URL-encoded PEM certificate."u8,
        CertificateRefusal.Expired => "The forwarded client certificate is expired or not yet valid."u8,
        CertificateRefusal.Revoked => "The forwarded client certificate is revoked."u8,
        CertificateRefusal.NotAnIspb => "The forwarded client certificate's subject CN is not an ISPB."u8,
        _ => "The forwarded client certificate does not chain to the participants' CA or is not for client authentication."u8,
    };
}
