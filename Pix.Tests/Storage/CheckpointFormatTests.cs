using System.Buffers.Binary;
using System.Text;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;
using Pix.Tests.Support;

namespace Pix.Tests.Storage;

/// <summary>Checkpoints are written in format version 2 (a few bytes a message); a data directory whose checkpoint
/// the build before wrote (version 1) still opens with the same state; a version 2 body that passes its checksum but
/// does not parse stops the store instead of being misread.</summary>
public sealed class CheckpointFormatTests : IDisposable
{
    private static readonly Ispb First = Ispb.Parse("12345678");
    private static readonly Ispb Second = Ispb.Parse("23456789");
    private static readonly Ispb Sender = Ispb.Parse("87654321");
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private EmbeddedQueueStore OpenStore(RecordingLogger? logger = null) =>
        new(new EmbeddedStoreOptions { DataDir = _directory.Path, Logger = logger ?? new RecordingLogger(), Retention = TimeSpan.FromDays(7) });

    [Fact]
    public async Task CheckpointsAreVersion2AndTakeAFewBytesAMessage()
    {
        await using (var store = OpenStore())
        {
            for (var i = 0; i < 20; i++)
            {
                await Append(store, First, 50, $"a{i}");
                await Append(store, Second, 50, $"b{i}");
            }
        }
        var file = File.ReadAllBytes(Newest());
        Assert.Equal("PIXCKPT2"u8.ToArray(), file[..8]);
        // 2,000 messages; version 1 took 45 bytes each (90 KB).
        Assert.InRange(file.Length, 1, 2000 * 10);
    }

    [Fact]
    public async Task AVersion1CheckpointOfTheBuildBeforeOpensWithTheSameStateAndTheNextIsVersion2()
    {
        List<StoredMessage> first, second;
        ResourceId[] claimed;
        ulong stream;
        uint token;
        await using (var store = OpenStore())
        {
            await Append(store, First, 60, "f");
            await Append(store, Second, 30, "s");
            // Acknowledged holes (two competing streams), a claimed batch, an unclaimed tail.
            var one = new StoreCursor(store, First);
            var two = new StoreCursor(store, First);
            await one.OpenAsync();
            await two.OpenAsync();
            var batch = new MessageBatch();
            await one.NextAsync(batch);
            await two.NextAsync(batch);
            await two.NextAsync(batch);
            await one.NextAsync(batch);
            claimed = Ids(batch);
            (stream, token) = (one.StreamId, one.Token);
            first = store.Unacknowledged(First);
            second = store.Unacknowledged(Second);
        }
        Assert.Equal(60 - 20, first.Count);
        var newest = Newest();
        foreach (var older in Directory.GetFiles(_directory.Path, "*.ckpt").Where(f => f != newest)) File.Delete(older);
        var version2 = File.ReadAllBytes(newest);
        var version1 = CheckpointV1Writer.FromVersion2(version2);
        File.WriteAllBytes(newest, version1);
        Assert.True(version1.Length > version2.Length + 70 * 30, "version 1 spends 45 bytes a message");

        var logger = new RecordingLogger();
        await using (var store = OpenStore(logger))
        {
            Assert.Contains(logger.Lines, l => l.Contains(" 0 log records", StringComparison.Ordinal) && l.Contains("the checkpoint", StringComparison.Ordinal));
            Assert.Equal(first, store.Unacknowledged(First));
            Assert.Equal(second, store.Unacknowledged(Second));
            // The claim survived: the stream's previous token gives the same batch again, and its payloads are there.
            var cursor = new StoreCursor(store, First);
            cursor.Resume(stream, token);
            var batch = new MessageBatch();
            Assert.Equal(ReadStatus.Ok, await cursor.RepeatAsync(batch));
            Assert.Equal(claimed, Ids(batch));
            Assert.StartsWith("<Msg>f-", Encoding.UTF8.GetString(batch.Payload(0)), StringComparison.Ordinal);
            // The counters survived: a new message gets an id no message had.
            var appended = await Append(store, Second, 1, "after");
            Assert.DoesNotContain(appended[0], first.Concat(second).Select(m => m.Id));
            second = store.Unacknowledged(Second);
        }
        Assert.Equal("PIXCKPT2"u8.ToArray(), File.ReadAllBytes(Newest())[..8]);
        await using (var store = OpenStore())
        {
            Assert.Equal(first, store.Unacknowledged(First));
            Assert.Equal(second, store.Unacknowledged(Second));
        }
    }

    [Fact]
    public async Task AVersion2BodyThatPassesItsChecksumButDoesNotParseRefusesToOpen()
    {
        await using (var store = OpenStore())
        {
            await Append(store, First, 300, "m");
            await Append(store, Second, 10, "n");
        }
        var newest = Newest();
        var file = File.ReadAllBytes(newest);
        var position = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(8));
        var body = file.AsSpan(20, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(16))).ToArray();
        // The first queue's unit starts after the counters (16), the queue count (4) and the directory (12 each).
        var unit = 20 + 12 * BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(16));
        var firstBlock = unit + 41 + 4 + 4;
        // An entry head with a flag no writer sets; a block table that does not add up; a body cut short.
        var badHead = body.ToArray();
        badHead[firstBlock] = 0x40;
        var badTable = body.ToArray();
        badTable[unit + 41 + 4]++;
        foreach (var bent in new[] { badHead, badTable, body[..(body.Length / 2)] })
        {
            var changed = CheckpointV1Writer.Frame('2', position, bent);
            File.WriteAllBytes(newest, changed);
            var refused = Assert.Throws<InvalidDataException>(() => OpenStore());
            Assert.Contains("malformed", refused.Message, StringComparison.Ordinal);
            // Not damage to fall back from, and nothing is repaired: the file is as it was.
            Assert.Equal(changed, File.ReadAllBytes(newest));
        }

        // Any byte of the units changed (the checksum recomputed): the store opens or refuses, never anything else.
        var random = new Random(3);
        var units = body.Length - unit - 16;
        for (var i = 0; i < 40; i++)
        {
            var bent = body.ToArray();
            bent[unit + random.Next(units)] ^= (byte)random.Next(1, 256);
            File.WriteAllBytes(newest, CheckpointV1Writer.Frame('2', position, bent));
            try
            {
                await using var store = OpenStore();
            }
            catch (InvalidDataException)
            {
            }
        }
        File.WriteAllBytes(newest, file);
        await using (var store = OpenStore())
        {
            Assert.Equal(300, (await store.StatsAsync(First)).Unacknowledged);
        }
    }

    private string Newest() => Directory.GetFiles(_directory.Path, "*.ckpt").Order().Last();

    private static ResourceId[] Ids(MessageBatch batch) => batch.Items.ToArray().Select(m => m.Id).ToArray();

    private static async Task<List<ResourceId>> Append(IQueueStore store, Ispb to, int count, string prefix)
    {
        var batch = new AppendBatch();
        for (var i = 0; i < count; i++)
        {
            batch.Add(new IncomingMessage(to, Sender, Encoding.ASCII.GetBytes($"{prefix}-{i}"),
                Encoding.UTF8.GetBytes($"<Msg>{prefix}-{i}</Msg>"), Disposition.Deliver));
        }
        await store.AppendAsync(batch);
        return batch.Outcomes.Select(o => o.Id).ToList();
    }
}
