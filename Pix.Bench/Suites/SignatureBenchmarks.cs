using BenchmarkDotNet.Attributes;
using Pix.Bench.Xml;
using Pix.Protocol.Signatures;
using Pix.Server.Signing;

namespace Pix.Bench.Suites;

/// <summary>
/// Verifying the signature of a signed pacs.008 of about 4 KB (two transactions, as <c>pix-bench sample</c> signs them)
/// with Pix's span verifier. <see cref="SignatureComparisonBenchmarks"/> puts SignedXml and RSA alone next to it.
/// A fixed 4,096 verifications per iteration: at tens of microseconds each, the few hundred a 500 ms iteration would
/// hold let the process's own background allocations (what a forced GC's callbacks allocate) show as several B/op.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MaxColumn]
[InvocationCount(4096)]
public class SignatureBenchmarks
{
    /// <summary>Benchmarks that measure alternatives, not Pix's request path: the gate leaves them out.</summary>
    public const string Comparison = "comparison";

    private byte[] _message = [];
    private SignerCertificate _signer = null!;

    /// <summary>The signed message the signature benchmarks verify: 4,356 bytes, the development certificate's.</summary>
    public static byte[] Message() => XmlBenchMessages.Sized(4 * 1024);

    [GlobalSetup]
    public void Setup()
    {
        _message = Message();
        _signer = SignerCertificate.From(DevelopmentCertificate.Shared);
        if (!SpanVerifier()) throw new InvalidOperationException("The span verifier rejects the sample: " + SignatureVerifier.Verify(_message, _signer));
    }

    [GlobalCleanup]
    public void Cleanup() => _signer.Dispose();

    [Benchmark]
    public bool SpanVerifier() => SignatureVerifier.Verify(_message, _signer).Ok;
}
