using System.Diagnostics.Metrics;
using Pix.Protocol.Xml;
using Pix.Server.Identity;
using Pix.Server.Signing;
using Pix.Server.Tls;

namespace Pix.Server.Telemetry;

/// <summary>
/// Identity on the <c>Pix</c> meter, read at scrape time: client certificates judged in mTLS handshakes by outcome,
/// and how long until each certificate Pix depends on expires (the server's, the earliest client CA's, the one that
/// signs the admi.002 notices), so <c>PixCertificateExpiry</c> warns weeks ahead instead of the first failed handshake.
/// </summary>
internal sealed class TlsGauges
{
    public TlsGauges(PixMetrics metrics, IcomIdentity identity, IMessageSigner? signer, TimeProvider clock)
    {
        var meter = metrics.Meter;
        var outcomes = Enum.GetValues<CertificateRefusal>();
        if (identity.Mode == TlsMode.Mtls)
        {
            meter.CreateObservableCounter("pix.tls.handshakes", () => outcomes.Select(o =>
                    new Measurement<long>(identity.Handshakes[o], new KeyValuePair<string, object?>("outcome", HandshakeCounts.Outcome(o)))),
                description: "Client certificates judged in TLS handshakes, by outcome (accepted, or why refused)");
        }
        var signing = (signer as SpiMessageSigner)?.Signature.Certificate;
        meter.CreateObservableGauge("pix.tls.certificate.expiry", () => Expiries(identity, signing, clock.GetUtcNow().UtcDateTime), unit: "s",
            description: "Seconds until the certificate expires (negative: expired): server, client_ca (the earliest), signing");
    }

    private static IEnumerable<Measurement<double>> Expiries(IcomIdentity identity, System.Security.Cryptography.X509Certificates.X509Certificate2? signing, DateTime now)
    {
        if (identity.Tls?.Current is { } material)
        {
            if (material.ServerCertificate is { } server) yield return Expiry("server", server.NotAfter.ToUniversalTime(), now);
            if (material.ClientCaNotAfter != DateTime.MaxValue) yield return Expiry("client_ca", material.ClientCaNotAfter, now);
        }
        if (signing is not null) yield return Expiry("signing", signing.NotAfter.ToUniversalTime(), now);
    }

    private static Measurement<double> Expiry(string certificate, DateTime notAfter, DateTime now) =>
        new((notAfter - now).TotalSeconds, new KeyValuePair<string, object?>("certificate", certificate));
}
