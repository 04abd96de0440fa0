using Pix.Bench.Suites;

namespace Pix.Tests.Allocation;

/// <summary>Verifying a signature allocates nothing per message (the call the signature benchmark times): the SHA-256
/// contexts are per thread, buffers on the stack, and RSA verification in the BCL allocates nothing on Linux.</summary>
[Collection(AllocationCollection.Name)]
public sealed class SignatureAllocationTests
{
    private readonly SignatureBenchmarks _signatures = new();

    public SignatureAllocationTests() => _signatures.Setup();

    [Fact]
    public void VerifyingASignedPacs008AllocatesNothing() => AllocationMeter.AssertNone(_signatures.SpanVerifier);
}
