using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Pix.Bench.Signatures;
using Pix.Bench.Xml;
using Pix.Protocol.Signatures;
using Pix.Server.Signing;

namespace Pix.Bench.Suites;

/// <summary>
/// Verifying the signature of a signed pacs.008 of about 4 KB (two transactions, as <c>pix-bench sample</c> signs them):
/// Pix's span verifier, next to .NET's SignedXml doing the same verification and to the RSA-2048 verification alone
/// (the part of the work both must do in the BCL). Only the span verifier is on the request path and in the gate;
/// the others are in the <c>comparison</c> category the gate leaves out.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MaxColumn]
public class SignatureBenchmarks
{
    public const string Comparison = "comparison";

    private byte[] _message = [];
    private X509Certificate2 _certificate = null!;
    private SignerCertificate _signer = null!;
    private RSA _key = null!;
    private byte[] _hash = [];
    private byte[] _signature = [];

    [GlobalSetup]
    public void Setup()
    {
        _message = XmlBenchMessages.Sized(4 * 1024);
        _certificate = DevelopmentCertificate.Shared;
        _signer = SignerCertificate.From(_certificate);
        _key = _certificate.GetRSAPublicKey()!;
        using var privateKey = _certificate.GetRSAPrivateKey()!;
        _hash = SHA256.HashData(_message);
        _signature = privateKey.SignHash(_hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (!SpanVerifier()) throw new InvalidOperationException("The span verifier rejects the sample: " + SignatureVerifier.Verify(_message, _signer));
        if (!SignedXml()) throw new InvalidOperationException("SignedXml rejects the sample.");
        if (!Rsa2048VerifyHash()) throw new InvalidOperationException("RSA does not verify.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _signer.Dispose();
        _key.Dispose();
    }

    [Benchmark]
    public bool SpanVerifier() => SignatureVerifier.Verify(_message, _signer).Ok;

    [Benchmark]
    [BenchmarkCategory(Comparison)]
    public bool SignedXml() => SignedXmlVerifier.Verify(_message, _certificate);

    [Benchmark]
    [BenchmarkCategory(Comparison)]
    public bool Rsa2048VerifyHash() => _key.VerifyHash(_hash, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
}
