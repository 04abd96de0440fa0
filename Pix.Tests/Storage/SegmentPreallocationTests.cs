using Microsoft.Extensions.Logging.Abstractions;
using Pix.Storage.Embedded;
using Pix.Storage.Files;

namespace Pix.Tests.Storage;

/// <summary>The active segment runs on in zeros past the log's end, so most appends change no file size (their
/// fdatasync writes no inode); the append that grows the file zeros the next stretch, and a closed segment ends at its
/// last record.</summary>
public sealed class SegmentPreallocationTests : IDisposable
{
    private const int Stretch = 4096;
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private SegmentFiles Open() => new(DiskFileLayer.Instance, _directory.Path, new ReaderEpochs(), NullLogger.Instance, Stretch);

    private string FileOf(SegmentFiles segments, int number) => segments.PathOf(number);

    [Fact]
    public void TheAppendThatGrowsTheFileZerosTheNextStretchAndTheAppendsAfterItStayInside()
    {
        using var segments = Open();
        var record = Enumerable.Repeat((byte)0xAB, 100).ToArray();

        segments.Append(record);
        segments.FlushActive();
        var end = SegmentHeader.Length + record.Length;
        Assert.Equal(end, segments.ActiveLength);
        var bytes = File.ReadAllBytes(FileOf(segments, 1));
        Assert.Equal(end + Stretch, bytes.Length);
        Assert.Equal(record, bytes[SegmentHeader.Length..end]);
        Assert.DoesNotContain(bytes[end..], b => b != 0);

        // Thirty more records fit in the zeroed stretch: the file's size does not move.
        for (var i = 0; i < 30; i++) segments.Append(record);
        segments.FlushActive();
        Assert.Equal(end + Stretch, new FileInfo(FileOf(segments, 1)).Length);
        Assert.Equal(end + 30 * record.Length, segments.ActiveLength);

        // The one that crosses the stretch's end grows the file by the next stretch, past itself.
        for (var i = 0; i < 11; i++) segments.Append(record);
        Assert.Equal(end + 41 * record.Length, segments.ActiveLength);
        Assert.Equal(segments.ActiveLength + Stretch, new FileInfo(FileOf(segments, 1)).Length);
    }

    [Fact]
    public void ARollCutsTheClosedSegmentAtItsLastRecordAndAShutdownCutsTheActiveOne()
    {
        using var segments = Open();
        var record = Enumerable.Repeat((byte)0x5A, 64).ToArray();
        segments.Append(record);
        segments.FlushActive();
        segments.Roll();
        Assert.Equal(SegmentHeader.Length + record.Length, new FileInfo(FileOf(segments, 1)).Length);
        Assert.Equal(SegmentHeader.Length, new FileInfo(FileOf(segments, 2)).Length);

        segments.Append(record);
        segments.FlushActive();
        Assert.Equal(SegmentHeader.Length + record.Length + Stretch, new FileInfo(FileOf(segments, 2)).Length);
        segments.TrimActive();
        Assert.Equal(SegmentHeader.Length + record.Length, new FileInfo(FileOf(segments, 2)).Length);
    }

    [Fact]
    public void AFailedGroupCutBackLeavesNoZerosAndTheNextAppendZerosAgain()
    {
        using var segments = Open();
        var record = Enumerable.Repeat((byte)0x11, 50).ToArray();
        var start = segments.ActiveLength;
        segments.Append(record);
        segments.TruncateActive(start);
        Assert.Equal(start, new FileInfo(FileOf(segments, 1)).Length);

        segments.Append(record);
        segments.FlushActive();
        Assert.Equal(start + record.Length + Stretch, new FileInfo(FileOf(segments, 1)).Length);
    }

    [Fact]
    public void ReopenedFilesStartAtTheirLengthUntilRecoverySaysWhereTheLogEnds()
    {
        long fileLength;
        using (var segments = Open())
        {
            segments.Append(new byte[] { 1, 2, 3 });
            segments.FlushActive();
            fileLength = new FileInfo(FileOf(segments, 1)).Length;
        }
        using var reopened = Open();
        Assert.Equal(fileLength, reopened.ActiveLength);
        reopened.EndLogAt(SegmentHeader.Length + 3);
        reopened.Append(new byte[] { 4 });
        reopened.FlushActive();
        var bytes = File.ReadAllBytes(FileOf(reopened, 1));
        // Over the zeros, inside the file: no growth.
        Assert.Equal(fileLength, bytes.Length);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 0 }, bytes[SegmentHeader.Length..(SegmentHeader.Length + 5)]);
    }
}
