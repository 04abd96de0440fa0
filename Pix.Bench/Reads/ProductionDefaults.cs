using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Pix.Bench.Load;
using Pix.Protocol.Ids;
using Pix.Server.Signing;
using Pix.Server.Tls;

namespace Pix.Bench.Reads;

/// <summary>
/// What <c>reads --production</c> and <c>ingest --production</c> need to run Pix as it ships: a certificate set of
/// its own (a fresh CA, the server, the SPI), mutual TLS on every connection, and every message signed by the SPI's
/// certificate, the one its connection presents, which is what Pix verifies a message against when no participant
/// registry is configured. Messages are signed before the measured window, never inside it (an XMLDSig signature
/// costs the client far more than the server's check of it).
/// </summary>
internal sealed class ProductionDefaults : IDisposable
{
    private static ReadOnlySpan<byte> EmptySignature => "<Sgntr/>"u8;

    private readonly X509Certificate2 _spi;
    private readonly SpiMessageSigner _signer;

    private ProductionDefaults(CertificateSet certificates)
    {
        Certificates = certificates;
        Tls = new ClientTls(certificates.Directory);
        _spi = X509Certificate2.CreateFromPemFile(certificates.ClientCertificate(Ispb.Spi), certificates.ClientKey(Ispb.Spi));
        _signer = new SpiMessageSigner(new SpiSignature(_spi));
    }

    public CertificateSet Certificates { get; }

    public ClientTls Tls { get; }

    /// <summary>A new set in a directory of its own, removed on dispose.</summary>
    public static ProductionDefaults Create() =>
        new(CertificateSet.Create(Path.Combine(Path.GetTempPath(), $"pix-bench-certs-{Guid.NewGuid():N}"), psps: 0));

    /// <summary>The server's TLS settings; everything else (signature verification included) stays at its default.</summary>
    public string[] ServerArguments =>
    [
        "--Pix:Tls:CertificatePath", Certificates.ServerCertificate, "--Pix:Tls:KeyPath", Certificates.ServerKey,
        "--Pix:Tls:ClientCaPath", Certificates.CaCertificate,
    ];

    /// <summary>A POST from the SPI of <paramref name="parts"/> new messages for <paramref name="receiver"/>, each signed.</summary>
    public byte[] SignedPost(MessageFactory factory, string receiver, int parts)
    {
        var messages = new List<byte[]>(parts);
        for (var i = 0; i < parts; i++) messages.Add(Sign(factory.Pacs008(factory.NextSequence(), receiver, valid: true)));
        var (body, contentType) = BatchBody.Build(messages);
        return IcomRequests.Post(MessageFactory.Spi, contentType, body, gzip: false);
    }

    /// <summary>The message with its empty <c>Sgntr</c> holding the SPI's signature (as Pix signs its own admi.002).</summary>
    public byte[] Sign(byte[] unsigned)
    {
        var at = unsigned.AsSpan().IndexOf(EmptySignature);
        if (at < 0) throw new ArgumentException("The message has no empty <Sgntr/> to sign into.");
        var output = new ArrayBufferWriter<byte>(unsigned.Length + 4096);
        output.Write(unsigned.AsSpan(0, at));
        output.Write("<Sgntr>"u8);
        _signer.WriteSignature(unsigned, output);
        output.Write("</Sgntr>"u8);
        output.Write(unsigned.AsSpan(at + EmptySignature.Length));
        return output.WrittenSpan.ToArray();
    }

    public void Dispose()
    {
        Tls.Dispose();
        _spi.Dispose();
        try
        {
            Directory.Delete(Certificates.Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleaning.
        }
    }
}
