using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Pix.Bench.Signatures;
using Pix.Server.Signing;

namespace Pix.Bench.Suites;

/// <summary>
/// What <see cref="SignatureBenchmarks"/> measures, done by .NET's SignedXml (<see cref="SignedXmlVerifier"/>, the
/// differential test's reference), and the RSA-2048 verification alone, the part both must do in the BCL. Not on the
/// request path: in the comparison category the gate leaves out.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MaxColumn]
[BenchmarkCategory(SignatureBenchmarks.Comparison)]
public class SignatureComparisonBenchmarks
{
    private byte[] _message = [];
    private X509Certificate2 _certificate = null!;
    private RSA _key = null!;
    private byte[] _hash = [];
    private byte[] _signature = [];

    [GlobalSetup]
    public void Setup()
    {
        _message = SignatureBenchmarks.Message();
        _certificate = DevelopmentCertificate.Shared;
        _key = _certificate.GetRSAPublicKey()!;
        using var privateKey = _certificate.GetRSAPrivateKey()!;
        _hash = SHA256.HashData(_message);
        _signature = privateKey.SignHash(_hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (!SignedXml()) throw new InvalidOperationException("SignedXml rejects the sample.");
        if (!Rsa2048VerifyHash()) throw new InvalidOperationException("RSA does not verify.");
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark]
    public bool SignedXml() => SignedXmlVerifier.Verify(_message, _certificate);

    [Benchmark]
    public bool Rsa2048VerifyHash() => _key.VerifyHash(_hash, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
}
