using Pix.Bench.Embedded;
using Pix.Tests.Support;
using System.Text;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;
using Pix.Storage.Notices;
using Pix.Storage.Quarantine;

namespace Pix.Tests.Storage;

/// <summary>What only a durable store promises: restarts, crashes, torn tails, the lock file, retention.</summary>
public sealed class EmbeddedQueueStoreTests : IDisposable
{
    private static readonly Ispb Receiver = Ispb.Parse("12345678");
    private static readonly Ispb Sender = Ispb.Parse("87654321");
    private const int MessagePayloadOffset = 87; // frame header 9 + fixed message fields 78
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private EmbeddedQueueStore OpenStore(string? dataDir = null, RecordingLogger? logger = null, long segmentBytes = 64L << 20,
        long checkpointBytes = 64L << 20, TimeSpan? retention = null, bool repair = false) =>
        new(new EmbeddedStoreOptions
        {
            DataDir = dataDir ?? _directory.Path,
            Logger = logger ?? new RecordingLogger(),
            SegmentBytes = segmentBytes,
            CheckpointBytes = checkpointBytes,
            Retention = retention ?? TimeSpan.FromDays(7),
            Repair = repair,
        });

    [Fact]
    public async Task ReopeningAfterACleanShutdownKeepsQueuesStreamsClaimsAndDedup()
    {
        ulong stream;
        List<ResourceId> ids;
        var batch = new MessageBatch();
        await using (var store = OpenStore())
        {
            ids = (await Append(store, 25, "a")).Select(o => o.Id).ToList();
            var cursor = new StoreCursor(store, Receiver);
            await cursor.OpenAsync();
            stream = cursor.StreamId;
            await cursor.NextAsync(batch);
            await cursor.NextAsync(batch);
        }
        await using (var store = OpenStore())
        {
            await AssertStateAfterRestart(store, stream, ids);
        }
    }

    [Fact]
    public async Task ACrashWithoutCheckpointRecoversTheSameStateFromTheLog()
    {
        ulong stream;
        List<ResourceId> ids;
        var crashed = Path.Combine(_directory.Path, "crashed");
        var batch = new MessageBatch();
        var live = Path.Combine(_directory.Path, "live");
        await using (var store = OpenStore(live))
        {
            ids = (await Append(store, 25, "a")).Select(o => o.Id).ToList();
            var cursor = new StoreCursor(store, Receiver);
            await cursor.OpenAsync();
            stream = cursor.StreamId;
            await cursor.NextAsync(batch);
            await cursor.NextAsync(batch);
            // Everything completed is fsync'd: a copy now is what a power cut would leave (and no checkpoint).
            CopyDirectory(live, crashed);
        }
        Assert.Empty(Directory.GetFiles(crashed, "*.ckpt"));
        await using (var store = OpenStore(crashed))
        {
            await AssertStateAfterRestart(store, stream, ids);
        }
    }

    [Fact]
    public async Task EmptyCyclesAreNotLoggedYetTheClientsLatestTokenStillWorksAfterACrash()
    {
        var live = Path.Combine(_directory.Path, "live");
        var crashed = Path.Combine(_directory.Path, "crashed");
        var cursor = default(StoreCursor);
        long logBytes;
        await using (var store = OpenStore(live))
        {
            cursor = new StoreCursor(store, Receiver);
            await cursor.OpenAsync();
            var batch = new MessageBatch();
            await cursor.NextAsync(batch);
            logBytes = LogBytes(live);
            // Three long polls that ended with nothing: the client now holds the token of batch 4, and not one byte
            // was written (and no fsync paid) for them.
            for (var n = 0; n < 3; n++) Assert.Equal(ReadStatus.Ok, await cursor.NextAsync(batch));
            Assert.Equal(4u, cursor.Token);
            Assert.Equal(logBytes, LogBytes(live));
            CopyDirectory(live, crashed);
        }
        await using (var store = OpenStore(crashed))
        {
            await Append(store, 2, "late");
            var resumed = new StoreCursor(store, Receiver);
            resumed.Resume(cursor.StreamId, cursor.Token);
            var batch = new MessageBatch();
            Assert.Equal(ReadStatus.Ok, await resumed.NextAsync(batch));
            Assert.Equal(2, batch.Count);
            Assert.Equal(5u, resumed.Token);
        }
    }

    private static long LogBytes(string dataDir) =>
        Directory.GetFiles(Path.Combine(dataDir, "log"), "*.seg").Sum(f => new FileInfo(f).Length);

    [Fact]
    public async Task QuarantineAndAnOperatorsDeliverySurviveACrashAndACheckpoint()
    {
        var live = Path.Combine(_directory.Path, "live");
        var crashed = Path.Combine(_directory.Path, "crashed");
        ResourceId kept, released;
        await using (var store = OpenStore(live))
        {
            var batch = new AppendBatch();
            batch.Add(new IncomingMessage(Receiver, Sender, "Q-1"u8.ToArray(), "<bad>kept</bad>"u8.ToArray(), Disposition.Quarantine));
            batch.Add(new IncomingMessage(Receiver, Sender, "Q-2"u8.ToArray(), "<bad>released</bad>"u8.ToArray(), Disposition.Quarantine));
            await store.AppendAsync(batch);
            (kept, released) = (batch.Outcomes[0].Id, batch.Outcomes[1].Id);
            Assert.Equal(QuarantineDeliveryStatus.Delivered, (await store.DeliverQuarantinedAsync(Sender, released, "Q-2"u8.ToArray())).Status);
            CopyDirectory(live, crashed);
        }
        foreach (var directory in new[] { crashed, live })
        {
            await using var store = OpenStore(directory);
            var listed = new List<QuarantinedMessage>();
            await store.ListQuarantinedAsync(Sender, 0, 10, listed);
            Assert.Equal([kept], listed.Select(m => m.Id));
            Assert.Equal("<bad>kept</bad>"u8.ToArray(), await store.ReadQuarantinedAsync(Sender, kept));
            var into = new MessageBatch();
            var stream = new StoreCursor(store, Receiver);
            await stream.OpenAsync();
            await stream.NextAsync(into);
            Assert.Equal([released], into.Items.ToArray().Select(m => m.Id));
            await stream.CloseAsync(acknowledge: false);
        }
    }

    [Fact]
    public async Task PendingNoticesSurviveACrashAndACheckpointAndSentOnesAreNotSentAgain()
    {
        var live = Path.Combine(_directory.Path, "live");
        var crashed = Path.Combine(_directory.Path, "crashed");
        await using (var store = OpenStore(live))
        {
            for (var i = 0; i < 2; i++)
            {
                var batch = new AppendBatch();
                batch.Add(new IncomingMessage(Receiver, Sender, default, Encoding.UTF8.GetBytes($"bad {i}"), Disposition.Quarantine));
                batch.AddNotice(new NoticeRequest(NoticeKind.Rejected, Sender, 0, default, "schema"u8.ToArray(), default, default));
                await store.AppendAsync(batch);
            }
            var pending = new List<PendingNotice>();
            await store.PendingNoticesAsync(pending, 10);
            Assert.Equal(2, pending.Count);
            Assert.True(await store.DeliverNoticeAsync(pending[0], "<admi/>"u8.ToArray(), "M00038166notice000000000000000001"u8.ToArray()));
            CopyDirectory(live, crashed);
        }
        // The crash copy has no checkpoint; the live directory got one at shutdown: both must agree.
        foreach (var directory in new[] { crashed, live })
        {
            await using var store = OpenStore(directory);
            var pending = new List<PendingNotice>();
            await store.PendingNoticesAsync(pending, 10);
            var left = Assert.Single(pending);
            Assert.Equal(Encoding.UTF8.GetBytes("schema"), left.Reason);
            Assert.Equal(1, (await store.StatsAsync(Sender)).Unacknowledged);
        }
    }

    [Fact]
    public async Task RecoveryStartsFromTheCheckpointAndReplaysOnlyTheLogAfterIt()
    {
        var logger = new RecordingLogger();
        await using (var store = OpenStore(checkpointBytes: 4096))
        {
            for (var i = 0; i < 20; i++) await Append(store, 10, $"r{i}");
        }
        await using (var store = OpenStore(logger: logger))
        {
            Assert.Contains(logger.Lines, l => l.Contains("0 log records", StringComparison.Ordinal) && l.Contains("the checkpoint", StringComparison.Ordinal));
            Assert.Equal(200, (await store.StatsAsync(Receiver)).Unacknowledged);
        }
    }

    [Fact]
    public async Task ADamagedNewestCheckpointFallsBackToTheOneBefore()
    {
        await using (var store = OpenStore(segmentBytes: 2048, retention: TimeSpan.Zero))
        {
            for (var i = 0; i < 30; i++) await Append(store, 5, $"c{i}");
        }
        var newest = Directory.GetFiles(_directory.Path, "*.ckpt").Order().Last();
        var bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(newest, bytes);

        var logger = new RecordingLogger();
        await using (var store = OpenStore(logger: logger))
        {
            Assert.Contains(logger.Lines, l => l.Contains("is damaged", StringComparison.Ordinal));
            Assert.Equal(150, (await store.StatsAsync(Receiver)).Unacknowledged);
            var stream = new StoreCursor(store, Receiver);
            await stream.OpenAsync();
            var batch = new MessageBatch();
            await stream.NextAsync(batch);
            Assert.Equal("<Msg>c0-0</Msg>", Encoding.UTF8.GetString(batch.Payload(0)));
        }
    }

    [Fact]
    public async Task ATornTailIsCutAndTheDroppedBytesAreLogged()
    {
        var live = Path.Combine(_directory.Path, "live");
        var crashed = Path.Combine(_directory.Path, "crashed");
        await using (var store = OpenStore(live))
        {
            await Append(store, 3, "kept");
            CopyDirectory(live, crashed);
        }
        // The live store's segment, cut at shutdown, ends at its last record; the copy has zeros after it.
        var intact = new FileInfo(Directory.GetFiles(Path.Combine(live, "log"), "*.seg").Order().Last()).Length;
        var segment = Directory.GetFiles(Path.Combine(crashed, "log"), "*.seg").Order().Last();
        // A half-written record (power lost mid-write) over those zeros: garbage, then zeros to the file's end.
        var torn = new byte[300];
        Random.Shared.NextBytes(torn);
        using (var file = File.OpenWrite(segment))
        {
            file.Position = intact;
            file.Write(torn);
        }
        var dropped = new FileInfo(segment).Length - intact;
        Assert.True(dropped >= torn.Length);

        var logger = new RecordingLogger();
        await using (var store = OpenStore(crashed, logger))
        {
            Assert.Contains(logger.Lines, l => l.Contains($"{dropped} bytes dropped", StringComparison.Ordinal));
            Assert.Equal(intact, new FileInfo(segment).Length);
            Assert.Equal(3, (await store.StatsAsync(Receiver)).Unacknowledged);
            await Append(store, 2, "after");
            Assert.Equal(5, (await store.StatsAsync(Receiver)).Unacknowledged);
        }
    }

    [Fact]
    public async Task ZerosAfterTheLastRecordAreTheLogsEndNotATear()
    {
        var live = Path.Combine(_directory.Path, "live");
        var crashed = Path.Combine(_directory.Path, "crashed");
        await using (var store = OpenStore(live))
        {
            await Append(store, 3, "a");
            // What a power cut leaves: every record fsync'd, and the zeros written ahead of the log's end.
            CopyDirectory(live, crashed);
        }
        var liveSegment = Directory.GetFiles(Path.Combine(live, "log"), "*.seg").Single();
        var logEnd = new FileInfo(liveSegment).Length;
        var segment = Directory.GetFiles(Path.Combine(crashed, "log"), "*.seg").Single();
        var copied = File.ReadAllBytes(segment);
        Assert.True(copied.Length > logEnd, "the open store's segment should run on in zeros past its last record");
        Assert.Equal(File.ReadAllBytes(liveSegment), copied[..(int)logEnd]);
        Assert.DoesNotContain(copied[(int)logEnd..], b => b != 0);

        var logger = new RecordingLogger();
        await using (var store = OpenStore(crashed, logger))
        {
            Assert.DoesNotContain(logger.Lines, l => l.Contains("torn", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal));
            Assert.Equal(3, (await store.StatsAsync(Receiver)).Unacknowledged);
            // The next group goes where the log ended, over the zeros, not after them.
            await Append(store, 2, "b");
        }
        var after = File.ReadAllBytes(segment);
        Assert.Equal(copied[..(int)logEnd], after[..(int)logEnd]);
        Assert.NotEqual(0, after[^1]);

        await using (var store = OpenStore(crashed))
        {
            var cursor = new StoreCursor(store, Receiver);
            await cursor.OpenAsync();
            var batch = new MessageBatch();
            await cursor.NextAsync(batch);
            Assert.Equal(["<Msg>a-0</Msg>", "<Msg>a-1</Msg>", "<Msg>a-2</Msg>", "<Msg>b-0</Msg>", "<Msg>b-1</Msg>"],
                Enumerable.Range(0, batch.Count).Select(i => Encoding.UTF8.GetString(batch.Payload(i))));
        }
    }

    [Fact]
    public async Task ARecordCutShortAtTheEndOfTheLastSegmentIsATornTailAndIsCut()
    {
        var live = Path.Combine(_directory.Path, "live");
        await using (var store = OpenStore(live))
        {
            for (var i = 0; i < 4; i++) await Append(store, 1, $"g{i}");
        }
        foreach (var checkpoint in Directory.GetFiles(live, "*.ckpt")) File.Delete(checkpoint);
        var segment = Directory.GetFiles(Path.Combine(live, "log"), "*.seg").Single();
        var bytes = File.ReadAllBytes(segment);
        var recordLength = (bytes.Length - SegmentHeader.Length) / 4;

        // Truncate mid-record: the 4th record loses its last 10 bytes, and nothing valid follows it.
        File.WriteAllBytes(segment, bytes[..^10]);
        var logger = new RecordingLogger();
        await using (var store = OpenStore(live, logger))
        {
            Assert.Equal(3, (await store.StatsAsync(Receiver)).Unacknowledged);
            Assert.Contains(logger.Lines, l => l.Contains($"{recordLength - 10} bytes dropped", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task AGarbledRecordFollowedByValidOnesStopsTheStoreFromOpeningAndNamesSegmentAndOffset()
    {
        var (segment, _, third, ids) = await FourMessagesWithTheThirdGarbled();
        var before = File.ReadAllBytes(segment);

        var refused = Assert.Throws<LogCorruptedException>(() => OpenStore());
        Assert.Equal(segment, refused.Segment);
        Assert.Equal(third, refused.Offset);
        Assert.Contains($"offset {third}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", refused.Message, StringComparison.Ordinal);
        Assert.Contains(ids[2].ToString(), refused.Message, StringComparison.Ordinal);
        Assert.Contains("--Pix:Embedded:Repair true", refused.Message, StringComparison.Ordinal);
        // Refusing changes nothing on disk, and the lock is let go (the operator can retry at once).
        Assert.Equal(before, File.ReadAllBytes(segment));
        Assert.Throws<LogCorruptedException>(() => OpenStore());
    }

    [Fact]
    public async Task ARepairSetsTheDamagedBytesAsideKeepsEveryValidRecordAfterThemAndSaysWhatWasLost()
    {
        var (segment, recordLength, third, ids) = await FourMessagesWithTheThirdGarbled();
        var damaged = File.ReadAllBytes(segment)[third..(third + recordLength)];

        var logger = new RecordingLogger();
        await using (var store = OpenStore(logger: logger, repair: true))
        {
            Assert.Equal(3, (await store.StatsAsync(Receiver)).Unacknowledged);
            var cursor = new StoreCursor(store, Receiver);
            await cursor.OpenAsync();
            var batch = new MessageBatch();
            await cursor.NextAsync(batch);
            Assert.Equal([ids[0], ids[1], ids[3]], batch.Items.ToArray().Select(m => m.Id));
            Assert.Equal("<Msg>g3-0</Msg>", Encoding.UTF8.GetString(batch.Payload(2)));
            await cursor.CloseAsync(acknowledge: false);
        }
        var aside = Path.Combine(_directory.Path, "damaged", $"segment-00000001-offset-{third:D13}");
        Assert.Equal(damaged, File.ReadAllBytes(aside + ".bin"));
        var report = File.ReadAllText(aside + ".txt");
        Assert.Contains($"{recordLength} bytes set aside", report, StringComparison.Ordinal);
        Assert.Contains($"a Message record at +0 ({recordLength} bytes, message {ids[2]}", report, StringComparison.Ordinal);
        Assert.Contains(logger.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains(ids[2].ToString(), StringComparison.Ordinal));

        // Repaired for good: the next open needs no repair, and appends go on after the kept records.
        await using (var store = OpenStore())
        {
            await Append(store, 1, "later");
            Assert.Equal(4, (await store.StatsAsync(Receiver)).Unacknowledged);
        }
    }

    [Fact]
    public async Task DamageAtTheEndOfAClosedSegmentIsNotATornTail()
    {
        await using (var store = OpenStore(segmentBytes: 300, checkpointBytes: long.MaxValue))
        {
            for (var i = 0; i < 6; i++) await Append(store, 1, $"s{i}");
        }
        foreach (var checkpoint in Directory.GetFiles(_directory.Path, "*.ckpt")) File.Delete(checkpoint);
        var first = Directory.GetFiles(Path.Combine(_directory.Path, "log"), "*.seg").Order().First();
        var bytes = File.ReadAllBytes(first);
        File.WriteAllBytes(first, bytes[..^5]);
        var refused = Assert.Throws<LogCorruptedException>(() => OpenStore());
        Assert.Equal(first, refused.Segment);
    }

    [Fact]
    public async Task AClaimIsReplayedByTheIdsItNamesWhereverReplayFindsThem()
    {
        var (_, _, ids) = await AClaimReplayedOverSwappedMessages();
        await using var store = OpenStore();
        // The message the reader acknowledged stays acknowledged; the other is still to be delivered. Claims by
        // sequence alone acknowledged the wrong one here and delivered the acknowledged one again.
        Assert.Equal(1, (await store.StatsAsync(Receiver)).Unacknowledged);
        var cursor = new StoreCursor(store, Receiver);
        await cursor.OpenAsync();
        var batch = new MessageBatch();
        await cursor.NextAsync(batch);
        Assert.Equal([ids[1]], batch.Items.ToArray().Select(m => m.Id));
    }

    [Fact]
    public async Task AClaimNamingAMessageTheQueueDoesNotHoldStopsTheStoreFromOpening()
    {
        var (segment, claimOffset, ids) = await AClaimReplayedOverSwappedMessages();
        // The claim's id now names a message nobody stored (its checksum made right again: damage CRCs cannot see).
        var bytes = File.ReadAllBytes(segment);
        var stranger = new ResourceId(ids[0].High, ids[0].Middle, ids[0].Low + 1000);
        stranger.WriteBytes(bytes.AsSpan((int)claimOffset + 9 + 22 + 8));
        var length = BitConverter.ToInt32(bytes, (int)claimOffset + 4);
        BitConverter.GetBytes(System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan((int)claimOffset + 4, 5 + length))).CopyTo(bytes, (int)claimOffset);
        File.WriteAllBytes(segment, bytes);

        var refused = Assert.Throws<LogCorruptedException>(() => OpenStore());
        Assert.Equal(segment, refused.Segment);
        Assert.Equal(claimOffset, refused.Offset);
        Assert.Contains($"names message {stranger}", refused.Message, StringComparison.Ordinal);

        var logger = new RecordingLogger();
        await using var store = OpenStore(logger: logger, repair: true);
        Assert.Contains(logger.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains(stranger.ToString(), StringComparison.Ordinal));
        Assert.Equal(2, (await store.StatsAsync(Receiver)).Unacknowledged);
    }

    [Fact]
    public async Task AQueueReleasedWhileIdleAndStartedAgainReplaysToTheSameState()
    {
        var live = Path.Combine(_directory.Path, "live");
        var crashed = Path.Combine(_directory.Path, "crashed");
        ResourceId later;
        await using (var store = OpenStore(live))
        {
            store.ReleaseIdleAfter = TimeSpan.Zero;
            for (var round = 0; round < 3; round++)
            {
                // Each round ends with the queue empty and no stream: the store forgets the ISPB, and the next
                // append starts a new queue (numbered from 1 again, unlike replay, which keeps the first queue).
                var id = (await Append(store, 2, $"r{round}"))[1].Id;
                var cursor = new StoreCursor(store, Receiver);
                await cursor.OpenAsync();
                var batch = new MessageBatch();
                await cursor.NextAsync(batch);
                Assert.Equal(id, batch.Items[1].Id);
                Assert.Equal(ReadStatus.Ok, await cursor.CloseAsync(acknowledge: true));
                await store.ExpireIdleAsync([]);
                Assert.DoesNotContain(Receiver, await store.ParticipantsAsync());
            }
            later = (await Append(store, 1, "kept"))[0].Id;
            var reader = new StoreCursor(store, Receiver);
            await reader.OpenAsync();
            await reader.NextAsync(new MessageBatch());
            CopyDirectory(live, crashed);
        }
        await using (var store = OpenStore(crashed))
        {
            Assert.Equal(1, (await store.StatsAsync(Receiver)).Unacknowledged);
            Assert.Equal(1, (await store.StatsAsync(Receiver)).OpenStreams);
            Assert.Equal(0, (await store.StatsAsync(Receiver)).Depth);
            Assert.Equal(later, store.Unacknowledged(Receiver).Single().Id);
        }
    }

    /// <summary>Two messages, the first claimed and acknowledged; then the two message records trade places in the
    /// log (both intact): replay now gives sequence 1 to the message that was never claimed.</summary>
    private async Task<(string Segment, long ClaimOffset, List<ResourceId> Ids)> AClaimReplayedOverSwappedMessages()
    {
        var ids = new List<ResourceId>();
        await using (var store = OpenStore())
        {
            var cursor = new StoreCursor(store, Receiver);
            await cursor.OpenAsync();
            ids.AddRange((await Append(store, 1, "x")).Select(o => o.Id));
            ids.AddRange((await Append(store, 1, "y")).Select(o => o.Id));
            var batch = new MessageBatch();
            await cursor.NextAsync(batch, max: 1);
            Assert.Equal([ids[0]], batch.Items.ToArray().Select(m => m.Id));
            await cursor.NextAsync(batch, max: 0);
        }
        foreach (var checkpoint in Directory.GetFiles(_directory.Path, "*.ckpt")) File.Delete(checkpoint);
        var segment = Directory.GetFiles(Path.Combine(_directory.Path, "log"), "*.seg").Single();
        var bytes = File.ReadAllBytes(segment);
        var records = Records(bytes);
        var messages = records.Where(r => r.Type == 1).ToList();
        Assert.Equal(2, messages.Count);
        Assert.Equal(messages[0].Length, messages[1].Length);
        var first = bytes.AsSpan(messages[0].Offset, messages[0].Length).ToArray();
        bytes.AsSpan(messages[1].Offset, messages[1].Length).CopyTo(bytes.AsSpan(messages[0].Offset));
        first.CopyTo(bytes.AsSpan(messages[1].Offset));
        File.WriteAllBytes(segment, bytes);
        return (segment, records.First(r => r.Type == 9).Offset, ids);
    }

    private static List<(int Offset, int Length, byte Type)> Records(byte[] segment)
    {
        var records = new List<(int, int, byte)>();
        for (var at = SegmentHeader.Length; at < segment.Length;)
        {
            var length = 9 + BitConverter.ToInt32(segment, at + 4);
            records.Add((at, length, segment[at + 8]));
            at += length;
        }
        return records;
    }

    private async Task<(string Segment, int RecordLength, int ThirdOffset, List<ResourceId> Ids)> FourMessagesWithTheThirdGarbled()
    {
        var ids = new List<ResourceId>();
        await using (var store = OpenStore())
        {
            for (var i = 0; i < 4; i++) ids.AddRange((await Append(store, 1, $"g{i}")).Select(o => o.Id));
        }
        foreach (var checkpoint in Directory.GetFiles(_directory.Path, "*.ckpt")) File.Delete(checkpoint);
        var segment = Directory.GetFiles(Path.Combine(_directory.Path, "log"), "*.seg").Single();
        var bytes = File.ReadAllBytes(segment);
        var recordLength = (bytes.Length - SegmentHeader.Length) / 4;
        var third = SegmentHeader.Length + 2 * recordLength;
        // One payload byte of the 3rd record flips: its checksum fails, and a valid record follows it.
        bytes[third + MessagePayloadOffset + 2] ^= 0x5A;
        File.WriteAllBytes(segment, bytes);
        return (segment, recordLength, third, ids);
    }

    [Fact]
    public async Task ASecondStoreOnTheSameDirectoryIsRefused()
    {
        await using var store = OpenStore();
        var refused = Assert.Throws<DataDirectoryInUseException>(() => OpenStore());
        Assert.Contains(Path.GetFullPath(_directory.Path), refused.Message, StringComparison.Ordinal);
        Assert.Contains($"pid {Environment.ProcessId}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetentionDeletesOldSegmentsOnceAllTheirMessagesAreAcknowledged()
    {
        await using var store = OpenStore(segmentBytes: 4096, retention: TimeSpan.Zero);
        var log = Path.Combine(_directory.Path, "log");
        var stream = new StoreCursor(store, Receiver);
        await stream.OpenAsync();
        var batch = new MessageBatch();
        for (var round = 0; round < 40; round++)
        {
            await Append(store, 10, $"ret{round}");
            await stream.NextAsync(batch);
            Assert.Equal(10, batch.Count);
        }
        await stream.NextAsync(batch);
        for (var round = 0; round < 3; round++) await Append(store, 10, $"roll{round}");
        // Checkpoints are written off the writer thread, and retention follows each: let the last one finish.
        store.WaitForWriterIdle();
        var segments = Directory.GetFiles(log, "*.seg").Order().ToArray();
        // Segments are numbered as they are made: 40 rounds of ~1.5 KB made well over a dozen. Only the few written
        // since the last checkpoints remain (how few depends on where the checkpoint thread was when the writer went on
        // committing, so the bound is relative: without retention every one of them would still be there).
        var made = int.Parse(Path.GetFileNameWithoutExtension(segments[^1]), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(made >= 12, $"only {made} segments were made: the test no longer rolls the log");
        Assert.True(segments.Length <= made / 2, $"{segments.Length} of {made} segments remain");
        Assert.Equal(30, (await store.StatsAsync(Receiver)).Unacknowledged);
    }

    [Fact]
    public async Task OneUnreadMessageOrAQuarantinedOneNoLongerPinsTheLog()
    {
        var logger = new RecordingLogger();
        await using var store = OpenStore(logger: logger, segmentBytes: 4096, retention: TimeSpan.Zero);
        var log = Path.Combine(_directory.Path, "log");
        var idle = Ispb.Parse("99999999");
        // A message to a participant that never reads, and a quarantined one kept for 30 days.
        var pinned = new AppendBatch();
        pinned.Add(new IncomingMessage(idle, Sender, "never-read"u8.ToArray(), "<Msg>never read</Msg>"u8.ToArray(), Disposition.Deliver));
        pinned.Add(new IncomingMessage(Receiver, Sender, "bad"u8.ToArray(), "<bad>kept</bad>"u8.ToArray(), Disposition.Quarantine));
        await store.AppendAsync(pinned);
        var quarantined = pinned.Outcomes[1].Id;

        var stream = new StoreCursor(store, Receiver);
        await stream.OpenAsync();
        var batch = new MessageBatch();
        for (var round = 0; round < 60; round++)
        {
            await Append(store, 10, $"busy{round}");
            await stream.NextAsync(batch);
        }
        await stream.NextAsync(batch);
        for (var round = 0; round < 3; round++) await Append(store, 10, $"roll{round}");
        // Checkpoints are written off the writer thread, and retention follows each: let the last one finish.
        store.WaitForWriterIdle();

        // Dozens of segments were written; the two old messages were copied forward and the segments deleted.
        var segments = Directory.GetFiles(log, "*.seg");
        Assert.True(segments.Length <= 8, $"{segments.Length} segments remain");
        Assert.Contains(logger.Lines, l => l.Contains("Compaction moved", StringComparison.Ordinal));
        Assert.Equal("<bad>kept</bad>"u8.ToArray(), await store.ReadQuarantinedAsync(Sender, quarantined));
        var reader = new StoreCursor(store, idle);
        await reader.OpenAsync();
        await reader.NextAsync(batch);
        Assert.Equal("<Msg>never read</Msg>", Encoding.UTF8.GetString(batch.Payload(0)));
        await reader.CloseAsync(acknowledge: false);

        // And after a restart (from the checkpoint, or the log that holds the moves), the same.
        await store.DisposeAsync();
        await using var again = OpenStore(segmentBytes: 4096, retention: TimeSpan.Zero);
        Assert.Equal("<bad>kept</bad>"u8.ToArray(), await again.ReadQuarantinedAsync(Sender, quarantined));
        var after = new StoreCursor(again, idle);
        await after.OpenAsync();
        await after.NextAsync(batch);
        Assert.Equal("<Msg>never read</Msg>", Encoding.UTF8.GetString(batch.Payload(0)));
    }

    [Fact]
    public async Task ADiskFullRejectsAppendsWith503AndReadsGoOn()
    {
        var mount = Path.Combine(_directory.Path, "small");
        Directory.CreateDirectory(mount);
        MountSmallTmpfs(mount);
        try
        {
            var logger = new RecordingLogger();
            await using (var store = OpenStore(mount, logger))
            {
                var stream = new StoreCursor(store, Receiver);
                await stream.OpenAsync();
                await Append(store, 5, "before");
                var batch = new MessageBatch();
                await stream.NextAsync(batch);

                var big = new string('x', 64 * 1024);
                var unavailable = await Assert.ThrowsAsync<StoreUnavailableException>(async () =>
                {
                    for (var i = 0; i < 100; i++)
                    {
                        var request = new AppendBatch();
                        request.Add(new IncomingMessage(Receiver, Sender, System.Text.Encoding.ASCII.GetBytes($"big-{i}"), System.Text.Encoding.ASCII.GetBytes(big), Disposition.Deliver));
                        await store.AppendAsync(request);
                    }
                });
                Assert.Contains("No space left", unavailable.Message, StringComparison.Ordinal);
                Assert.Contains(logger.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("No space left", StringComparison.Ordinal));

                // Reads go on: the repeated read and the message bytes.
                var again = new MessageBatch();
                Assert.Equal(ReadStatus.Ok, await stream.RepeatAsync(again));
                Assert.Equal(5, again.Count);
                Assert.Equal("<Msg>before-0</Msg>", System.Text.Encoding.UTF8.GetString(again.Payload(0)));
                Assert.False(store.Health.Healthy);
            }
            // Nothing half-written: the store opens cleanly and holds what got a 201.
            await using (var store = OpenStore(mount))
            {
                Assert.True((await store.StatsAsync(Receiver)).Unacknowledged >= 5);
            }
        }
        finally
        {
            Run("umount", $"-l {mount}");
        }
    }

    [Fact]
    public async Task AnUnwritableDirectoryRejectsAppendsWith503UntilItIsWritableAgain()
    {
        var logger = new RecordingLogger();
        await using var store = OpenStore(logger: logger, segmentBytes: 1024);
        var log = Path.Combine(_directory.Path, "log");
        var stream = new StoreCursor(store, Receiver);
        await stream.OpenAsync();
        await Append(store, 5, "before");
        var batch = new MessageBatch();
        await stream.NextAsync(batch);
        // Root ignores permission bits; an immutable directory refuses even root a new segment file.
        var (code, output) = Run("chattr", $"+i {log}");
        Assert.True(code == 0, $"The test needs chattr on ext4 as root: {output}");
        try
        {
            var unavailable = await Assert.ThrowsAsync<StoreUnavailableException>(() => Append(store, 20, "refused"));
            Assert.Contains(logger.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains(_directory.Path, StringComparison.Ordinal));
            Assert.False(store.Health.Healthy);
            Assert.Contains(_directory.Path, store.Health.Reason, StringComparison.Ordinal);
            var again = new MessageBatch();
            Assert.Equal(ReadStatus.Ok, await stream.RepeatAsync(again));
            Assert.Equal(5, again.Count);
            Assert.Equal("<Msg>before-0</Msg>", Encoding.UTF8.GetString(again.Payload(0)));
            Assert.Equal(5, (await store.StatsAsync(Receiver)).Unacknowledged);
        }
        finally
        {
            Run("chattr", $"-i {log}");
        }
        await Append(store, 20, "later");
        Assert.True(store.Health.Healthy);
        Assert.Equal(25, (await store.StatsAsync(Receiver)).Unacknowledged);
    }

    private static void MountSmallTmpfs(string directory) => Shell.MountSmallTmpfs(directory);

    private static (int Code, string Output) Run(string file, string arguments) => Shell.Run(file, arguments);

    private static async Task AssertStateAfterRestart(EmbeddedQueueStore store, ulong stream, List<ResourceId> ids)
    {
        var batch = new MessageBatch();
        Assert.Equal([(Receiver, stream, 2u)], store.OpenStreams());
        var cursor = new StoreCursor(store, Receiver);
        cursor.Resume(stream, 2);
        Assert.Equal(ReadStatus.Ok, await cursor.RepeatAsync(batch));
        Assert.Equal(ids.Skip(10).Take(10), batch.Items.ToArray().Select(m => m.Id));
        Assert.Equal("<Msg>a-10</Msg>", System.Text.Encoding.UTF8.GetString(batch.Payload(0)));

        // Dedup survives, and new ids continue the series.
        var again = await Append(store, 1, "a");
        Assert.True(again[0].Duplicate);
        Assert.Equal(ids[0], again[0].Id);
        var fresh = await Append(store, 1, "b");
        Assert.DoesNotContain(fresh[0].Id, ids);
        Assert.True(fresh[0].Id.Low > ids.Max(i => i.Low));
        Assert.True((await store.OpenStreamAsync(Receiver, 6, StoreCursor.LongTimes)).StreamId > stream);

        Assert.Equal(ReadStatus.Ok, await cursor.NextAsync(batch));
        Assert.Equal(ids.Skip(20).Append(fresh[0].Id), batch.Items.ToArray().Select(m => m.Id));
        Assert.Equal(6, (await store.StatsAsync(Receiver)).Unacknowledged);
    }

    private static async Task<List<AppendOutcome>> Append(IQueueStore store, int count, string prefix)
    {
        var batch = new AppendBatch();
        for (var i = 0; i < count; i++)
        {
            batch.Add(new IncomingMessage(Receiver, Sender, System.Text.Encoding.ASCII.GetBytes($"{prefix}-{i}"),
                System.Text.Encoding.UTF8.GetBytes($"<Msg>{prefix}-{i}</Msg>"), Disposition.Deliver));
        }
        await store.AppendAsync(batch);
        return batch.Outcomes.ToList();
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            // The lock file is held exclusively (and a dead process would not hold it anyway).
            if (Path.GetFileName(file) != "pix.lock") File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (var directory in Directory.GetDirectories(from)) CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
    }
}
