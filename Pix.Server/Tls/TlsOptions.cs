namespace Pix.Server.Tls;

/// <summary><c>Pix:Tls:*</c>: who may call the ICOM listener. With nothing configured, mutual TLS with the
/// development certificates Pix creates under <c>{DataDir}/dev-certs/</c>.</summary>
public sealed class TlsOptions
{
    /// <summary><c>mtls</c> (default), <c>proxy</c> or <c>off</c>.</summary>
    public string Mode { get; set; } = "mtls";
    /// <summary>Server certificate: PKCS#12, or PEM with <see cref="KeyPath"/> (or the key in the same PEM file).</summary>
    public string CertificatePath { get; set; } = "";
    public string KeyPath { get; set; } = "";
    public string CertificatePassword { get; set; } = "";
    /// <summary>PEM bundle of the CA certificates participants' client certificates must chain to.</summary>
    public string ClientCaPath { get; set; } = "";
    /// <summary>Optional CRL (PEM or DER, several PEM blocks allowed) signed by one of those CAs.</summary>
    public string CrlPath { get; set; } = "";
    /// <summary>Proxy mode: the header carrying the verified client certificate as URL-encoded PEM.</summary>
    public string ProxyHeader { get; set; } = "X-Client-Cert";
    /// <summary>Proxy mode: comma-separated CIDRs of the TLS terminators allowed to forward certificates.</summary>
    public string TrustedProxies { get; set; } = "";
    /// <summary>How often the certificate, key, CA and CRL files are checked for changes (reloaded without a restart).</summary>
    public double ReloadCheckSeconds { get; set; } = 2;

    public TlsMode ParsedMode => Mode.Trim().ToLowerInvariant() switch
    {
        "mtls" => TlsMode.Mtls,
        "proxy" => TlsMode.Proxy,
        "off" => TlsMode.Off,
        _ => throw new ArgumentException($"Pix:Tls:Mode must be mtls, proxy or off, not '{Mode}'."),
    };
}
