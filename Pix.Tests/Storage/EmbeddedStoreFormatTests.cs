using System.Buffers.Binary;
using System.Text;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;
using Pix.Tests.Support;

namespace Pix.Tests.Storage;

/// <summary>The data directory's files say which format they are in: a segment or checkpoint of another build (older,
/// newer, or not Pix at all) stops the store from opening, naming the file, instead of being misread or "repaired".</summary>
public sealed class EmbeddedStoreFormatTests : IDisposable
{
    private static readonly Ispb Receiver = Ispb.Parse("12345678");
    private static readonly Ispb Sender = Ispb.Parse("87654321");
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string Log => Path.Combine(_directory.Path, "log");

    private EmbeddedQueueStore OpenStore(RecordingLogger? logger = null, long segmentBytes = 64L << 20) =>
        new(new EmbeddedStoreOptions
        {
            DataDir = _directory.Path,
            Logger = logger ?? new RecordingLogger(),
            SegmentBytes = segmentBytes,
            Retention = TimeSpan.FromDays(7),
        });

    [Fact]
    public async Task NewSegmentsAndCheckpointsStartWithTheirMagicAndFormatVersion()
    {
        await using (var store = OpenStore(segmentBytes: 600))
        {
            for (var i = 0; i < 8; i++) await Append(store, 2, $"h{i}");
        }
        var segments = Directory.GetFiles(Log, "*.seg");
        Assert.True(segments.Length > 2, "the appends should have rolled the log");
        foreach (var segment in segments)
        {
            var bytes = File.ReadAllBytes(segment);
            Assert.Equal("PIXLOG"u8.ToArray(), bytes[..6]);
            Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
        }
        var checkpoints = Directory.GetFiles(_directory.Path, "*.ckpt");
        Assert.NotEmpty(checkpoints);
        foreach (var checkpoint in checkpoints) Assert.Equal("PIXCKPT2"u8.ToArray(), File.ReadAllBytes(checkpoint)[..8]);

        await using (var store = OpenStore(segmentBytes: 600))
        {
            Assert.Equal(16, (await store.StatsAsync(Receiver)).Unacknowledged);
        }
    }

    [Theory]
    [InlineData("PIXLOX", 1, "no PIXLOG header")]
    [InlineData("PIXLOG", 2, "PIXLOG version 2")]
    public async Task ASegmentWithAnotherMagicOrANewerVersionRefusesToOpenNamingTheFile(string magic, int version, string found)
    {
        await using (var store = OpenStore(segmentBytes: 600))
        {
            for (var i = 0; i < 8; i++) await Append(store, 2, $"m{i}");
        }
        var segments = Directory.GetFiles(Log, "*.seg").Order().ToArray();
        foreach (var segment in new[] { segments[0], segments[^1] })
        {
            var original = File.ReadAllBytes(segment);
            var changed = original.ToArray();
            Encoding.ASCII.GetBytes(magic).CopyTo(changed, 0);
            BinaryPrimitives.WriteUInt16LittleEndian(changed.AsSpan(6), (ushort)version);
            File.WriteAllBytes(segment, changed);

            var refused = Assert.Throws<StoreFormatException>(() => OpenStore(segmentBytes: 600));
            Assert.Equal(segment, refused.File);
            Assert.Equal(_directory.Path, refused.Directory);
            Assert.Contains(found, refused.Found, StringComparison.Ordinal);
            Assert.Equal("PIXLOG version 1", refused.Expected);
            Assert.Contains(segment, refused.Message, StringComparison.Ordinal);
            Assert.Contains(_directory.Path, refused.Message, StringComparison.Ordinal);
            // Refusing changes nothing on disk.
            Assert.Equal(changed, File.ReadAllBytes(segment));
            File.WriteAllBytes(segment, original);
        }
        await using var reopened = OpenStore(segmentBytes: 600);
        Assert.Equal(16, (await reopened.StatsAsync(Receiver)).Unacknowledged);
    }

    [Fact]
    public async Task ANewerHeaderAloneInTheLastSegmentIsNotTakenForATornOne()
    {
        await using (var store = OpenStore())
        {
            await Append(store, 1, "n");
        }
        var next = Path.Combine(Log, "00000002.seg");
        File.WriteAllBytes(next, [.. "PIXLOG"u8, 2, 0]);

        var refused = Assert.Throws<StoreFormatException>(() => OpenStore());
        Assert.Equal(next, refused.File);
        Assert.Equal("PIXLOG version 2", refused.Found);
        Assert.Equal(8, new FileInfo(next).Length);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { (byte)'P', (byte)'I', (byte)'X' })]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 })]
    public async Task ATornHeaderInTheLastSegmentIsWrittenAnewLikeATornTail(byte[] torn)
    {
        await using (var store = OpenStore())
        {
            await Append(store, 3, "t");
        }
        // A crash right after the roll created segment 2: its name is durable, its header only partly or not at all.
        var next = Path.Combine(Log, "00000002.seg");
        File.WriteAllBytes(next, torn);

        var logger = new RecordingLogger();
        await using (var store = OpenStore(logger))
        {
            Assert.Contains(logger.Lines, l => l.Contains("torn header", StringComparison.Ordinal) && l.Contains(next, StringComparison.Ordinal));
            Assert.Equal(3, (await store.StatsAsync(Receiver)).Unacknowledged);
            await Append(store, 2, "after");
        }
        Assert.Equal("PIXLOG"u8.ToArray(), File.ReadAllBytes(next)[..6]);
        await using (var store = OpenStore())
        {
            Assert.Equal(5, (await store.StatsAsync(Receiver)).Unacknowledged);
        }
    }

    [Fact]
    public async Task ATornHeaderBeforeTheLastSegmentIsAnotherFormatNotATear()
    {
        await using (var store = OpenStore(segmentBytes: 600))
        {
            for (var i = 0; i < 8; i++) await Append(store, 2, $"b{i}");
        }
        var first = Directory.GetFiles(Log, "*.seg").Order().First();
        File.WriteAllBytes(first, new byte[8]);

        var refused = Assert.Throws<StoreFormatException>(() => OpenStore(segmentBytes: 600));
        Assert.Equal(first, refused.File);
        Assert.Equal(new byte[8], File.ReadAllBytes(first));
    }

    [Theory]
    [InlineData("PIXCKPT3", "PIXCKPT version 3")]
    [InlineData("PIXCKPT0", "PIXCKPT version 0")]
    [InlineData("PIXSNAP2", "no PIXCKPT header")]
    public async Task ACheckpointWithAnotherMagicOrANewerVersionRefusesToOpenNamingTheFile(string magic, string found)
    {
        await using (var store = OpenStore(segmentBytes: 600))
        {
            for (var i = 0; i < 8; i++) await Append(store, 2, $"c{i}");
        }
        var checkpoints = Directory.GetFiles(_directory.Path, "*.ckpt").Order().ToArray();
        Assert.Equal(2, checkpoints.Length);
        var newest = checkpoints[^1];
        var changed = File.ReadAllBytes(newest);
        Encoding.ASCII.GetBytes(magic).CopyTo(changed, 0);
        File.WriteAllBytes(newest, changed);

        // Not damage to fall back from (to the checkpoint before it): a file of another build.
        var refused = Assert.Throws<StoreFormatException>(() => OpenStore(segmentBytes: 600));
        Assert.Equal(newest, refused.File);
        Assert.Equal(_directory.Path, refused.Directory);
        Assert.Contains(found, refused.Found, StringComparison.Ordinal);
        Assert.Equal("PIXCKPT version 2 (or 1)", refused.Expected);
        Assert.Contains(newest, refused.Message, StringComparison.Ordinal);
        Assert.Equal(changed, File.ReadAllBytes(newest));
    }

    [Fact]
    public async Task ADataDirectoryOfABuildBeforeFormatVersionsRefusesToOpenRatherThanBeingMisreadOrRepaired()
    {
        var segments = await AnOldStyleDataDirectory();
        var before = segments.Select(File.ReadAllBytes).ToArray();

        var refused = Assert.Throws<StoreFormatException>(() => OpenStore(segmentBytes: 600));
        Assert.Equal(segments[0], refused.File);
        Assert.Contains("no PIXLOG header", refused.Found, StringComparison.Ordinal);
        Assert.Contains("before format versions", refused.Message, StringComparison.Ordinal);
        // Nothing cut, nothing set aside, nothing added: the directory is as the old build left it.
        Assert.Equal(before, segments.Select(File.ReadAllBytes).ToArray());
        Assert.Equal(segments, Directory.GetFiles(Log, "*.seg").Order().ToArray());
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "damaged")));
    }

    [Fact]
    public async Task TheServerReportsAnotherFormatAsAStartupError()
    {
        await AnOldStyleDataDirectory();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PixServerProcess.StartAsync("embedded", _directory.Path));
        Assert.Contains("Pix could not start", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(Log, "00000001.seg"), error.Message, StringComparison.Ordinal);
        Assert.Contains("no PIXLOG header", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error.Message, StringComparison.Ordinal);
    }

    /// <summary>What a build before format versions left: segments whose records start at offset 0 (here: this
    /// build's records with the header taken off, which is byte for byte the old layout), and its checkpoints.</summary>
    private async Task<string[]> AnOldStyleDataDirectory()
    {
        await using (var store = OpenStore(segmentBytes: 600))
        {
            for (var i = 0; i < 8; i++) await Append(store, 2, $"o{i}");
        }
        var segments = Directory.GetFiles(Log, "*.seg").Order().ToArray();
        foreach (var segment in segments) File.WriteAllBytes(segment, File.ReadAllBytes(segment)[SegmentHeader.Length..]);
        return segments;
    }

    private static async Task Append(IQueueStore store, int count, string prefix)
    {
        var batch = new AppendBatch();
        for (var i = 0; i < count; i++)
        {
            batch.Add(new IncomingMessage(Receiver, Sender, Encoding.ASCII.GetBytes($"{prefix}-{i}"),
                Encoding.UTF8.GetBytes($"<Msg>{prefix}-{i}</Msg>"), Disposition.Deliver));
        }
        await store.AppendAsync(batch);
    }
}
