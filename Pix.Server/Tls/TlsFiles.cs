namespace Pix.Server.Tls;

/// <summary>The files the TLS material is read from (after the development defaults were applied).</summary>
public sealed record TlsFiles(string CertificatePath, string KeyPath, string CertificatePassword, string ClientCaPath, string CrlPath)
{
    public IEnumerable<string> All => [CertificatePath, KeyPath, ClientCaPath, CrlPath];
}
