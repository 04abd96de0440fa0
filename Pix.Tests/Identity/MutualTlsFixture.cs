using Pix.Tests.Support;

namespace Pix.Tests.Identity;

/// <summary>A server in mtls mode with certificates made for the class (CA, server, SPI, PSPs 10000001-10000004);
/// its identity log lines (handshake refusals) are kept so tests can assert why a connection was refused.</summary>
public class MutualTlsFixture : IAsyncLifetime
{
    private PixServerProcess? _server;

    internal TestCertificates Certificates { get; } = new();
    internal PixServerProcess Server => _server!;
    public int Port => Server.Port;

    /// <summary>Settings on top of mtls with the test certificates.</summary>
    protected virtual IEnumerable<(string Key, string Value)> Settings => [];

    public async Task InitializeAsync()
    {
        var set = Certificates.Set;
        _server = await PixServerProcess.StartAsync("memory", null,
        [
            ("Pix:Tls:Mode", "mtls"),
            ("Pix:Tls:CertificatePath", set.ServerCertificate),
            ("Pix:Tls:KeyPath", set.ServerKey),
            ("Pix:Tls:ClientCaPath", set.CaCertificate),
            ("Pix:Tls:ReloadCheckSeconds", "0.2"),
            ("Pix:Streams:LongPollSeconds", "0.3"),
            ("Logging:LogLevel:Pix.Server.Identity", "Information"),
            ("Logging:LogLevel:Pix.Server.Hosting", "Information"),
            .. Settings,
        ]);
    }

    /// <summary>An ICOM client over TLS presenting <paramref name="ispb"/>'s certificate.</summary>
    internal async Task<IcomClient> ConnectAsync(string ispb) =>
        new(await RawHttpConnection.ConnectTlsAsync(Port, Certificates.Client(ispb), Certificates.Ca));

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        Certificates.Dispose();
    }
}
