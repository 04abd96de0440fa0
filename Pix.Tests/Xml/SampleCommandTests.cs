using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pix.Bench.Commands;
using Pix.Protocol.Signatures;
using Pix.Server.Signing;
using Pix.Tests.Signatures;
using Pix.Tests.Support;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;

namespace Pix.Tests.Xml;

[Collection("Console")]
public class SampleCommandTests
{
    [Theory]
    [InlineData("pacs.008")]
    [InlineData("pacs.002")]
    [InlineData("pacs.004")]
    [InlineData("admi.002")]
    public void PrintsOneSignedMessageThatPassesTheChecks(string type)
    {
        var (code, text) = Run("sample", type == "admi.002" ? [type, "--to", "12345678"] : [type, "--from", "00038166", "--to", "12345678"]);
        Assert.Equal(0, code);
        var result = MessageCheck.Check(Encoding.UTF8.GetBytes(text.Trim()), CheckOptions.Default, out var header);
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(Ispb.Parse("12345678"), header.To);
        Assert.Equal(Ispb.Spi, header.From);
    }

    [Fact]
    public void RefusesABadIspb() => Assert.Equal(2, Run("sample", ["pacs.008", "--from", "abc"]).Code);

    [Theory]
    [InlineData("pacs.008")]
    [InlineData("pacs.002")]
    [InlineData("pacs.004")]
    [InlineData("admi.002")]
    public void WhatItSignsVerifiesUnderTheDevelopmentCertificateOrTheOneGiven(string type)
    {
        var (code, text) = Run("sample", [type, "--to", "12345678"]);
        Assert.Equal(0, code);
        Assert.True(SignatureVerifier.Verify(Encoding.UTF8.GetBytes(text.Trim()), Development).Ok);

        using var folder = new TempDirectory();
        var (certificate, key) = WritePem(folder.Path, CorpusCertificates.Signer);
        (code, text) = Run("sample", [type, "--to", "12345678", "--cert", certificate, "--key", key]);
        Assert.Equal(0, code);
        var xml = Encoding.UTF8.GetBytes(text.Trim());
        Assert.True(MessageCheck.Check(xml, out _).Ok);
        using var signer = SignerCertificate.From(CorpusCertificates.Signer);
        var result = SignatureVerifier.Verify(xml, signer);
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(CheckRule.SignatureCertificate, SignatureVerifier.Verify(xml, Development).RuleId);
    }

    [Fact]
    public void TheKeyMayShareTheCertificatesFile()
    {
        using var folder = new TempDirectory();
        var (certificate, key) = WritePem(folder.Path, CorpusCertificates.Signer);
        var both = Path.Combine(folder.Path, "both.pem");
        File.WriteAllText(both, File.ReadAllText(certificate) + "\n" + File.ReadAllText(key));
        var (code, text) = Run("sample", ["pacs.008", "--cert", both]);
        Assert.Equal(0, code);
        using var signer = SignerCertificate.From(CorpusCertificates.Signer);
        Assert.True(SignatureVerifier.Verify(Encoding.UTF8.GetBytes(text.Trim()), signer).Ok);
    }

    [Fact]
    public void RefusesAKeyWithoutACertificateAndACertificateItCannotSignWith()
    {
        using var folder = new TempDirectory();
        var (certificate, key) = WritePem(folder.Path, CorpusCertificates.Signer);
        Assert.Equal(2, Run("sample", ["pacs.008", "--key", key]).Code);
        Assert.Equal(2, Run("sample", ["pacs.008", "--cert", certificate]).Code);
        Assert.Equal(2, Run("sample", ["pacs.008", "--cert", Path.Combine(folder.Path, "missing.pem"), "--key", key]).Code);
    }

    private static readonly SignerCertificate Development = SignerCertificate.From(DevelopmentCertificate.Shared);

    private static (string Certificate, string Key) WritePem(string folder, X509Certificate2 certificate)
    {
        var certificatePath = Path.Combine(folder, "signer.crt.pem");
        var keyPath = Path.Combine(folder, "signer.key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetRSAPrivateKey()!;
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    private static (int Code, string Text) Run(string command, string[] args)
    {
        var previous = Console.Out;
        var writer = new StringWriter();
        Console.SetOut(writer);
        var previousError = Console.Error;
        Console.SetError(TextWriter.Null);
        try
        {
            return (command == "sample" ? SampleCommand.Run(args) : -1, writer.ToString());
        }
        finally
        {
            Console.SetOut(previous);
            Console.SetError(previousError);
        }
    }
}
