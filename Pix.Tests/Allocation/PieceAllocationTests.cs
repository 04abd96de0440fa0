using Pix.Bench.Suites;

namespace Pix.Tests.Allocation;

/// <summary>The synchronous pieces of the request path allocate nothing per call (the same calls the benchmarks time).</summary>
[Collection(AllocationCollection.Name)]
public sealed class PieceAllocationTests
{
    private readonly PieceBenchmarks _pieces = new();

    public PieceAllocationTests() => _pieces.Setup();

    [Fact]
    public void ParsingABufferedRequestAndMatchingItsRouteAllocatesNothing() => AllocationMeter.AssertNone(_pieces.ParseAndRoute);

    [Fact]
    public void ParsingAHeadTrickledOneBytePerReadAllocatesNothing() => AllocationMeter.AssertNone(_pieces.TrickledHead2K);

    [Fact]
    public void WritingATokenAllocatesNothing() => AllocationMeter.AssertNone(_pieces.TokenWrite);

    [Fact]
    public void ReadingATokenAllocatesNothing() => AllocationMeter.AssertNone(_pieces.TokenRead);

    [Fact]
    public void WritingATenMessageMultipartBatchIntoAReusedBufferAllocatesNothing() => AllocationMeter.AssertNone(_pieces.MultipartWrite10);

    [Fact]
    public void CheckingAPacs008AllocatesNothing() => AllocationMeter.AssertNone(_pieces.MessageCheckPacs008);
}
