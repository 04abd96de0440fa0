using System.Text;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;

namespace Pix.Tests.Storage.Simulation;

/// <summary>
/// One seeded schedule against the embedded store on a <see cref="SimulatedDisk"/>: appends, resends, stream opens,
/// claims, acknowledgements, repeats, closes, idle expiries and clock jumps (with segments and checkpoints small
/// enough that rolls, checkpoints and retention happen all the time), cut by a power failure at a random mutating
/// file operation, recovered, and checked against a model of what clients were told: every write acknowledged to
/// a client is there under the same id and with the same bytes, nothing a reader acknowledged comes back, no id
/// appears that no client was given (or could have been, for a write the cut left without an answer). Several
/// rounds per seed (the recovery itself can be cut), then a final drain. One call at a time, and the writer idle
/// between calls, so a seed replays exactly.
/// </summary>
internal sealed class StoreSimulation
{
    private const string DataDir = "/sim/data";
    private const int Rounds = 3;
    private static readonly Ispb[] Receivers = [Ispb.Parse("11111111"), Ispb.Parse("22222222")];
    private static readonly Ispb Sender = Ispb.Parse("87654321");
    private static readonly StreamTimes Times = new(60_000, 30_000);

    private readonly int _seed;
    private readonly Random _random;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly long _segmentBytes, _checkpointBytes;
    private readonly TimeSpan _retention;
    private SimulatedDisk _disk;

    // The model: what the clients were told.
    private readonly Dictionary<string, ResourceId> _stored = new(StringComparer.Ordinal);
    private readonly Dictionary<ResourceId, (Ispb To, string Biz)> _messages = new();
    private readonly HashSet<ResourceId> _acked = new();
    private readonly HashSet<ResourceId> _maybeAcked = new();
    private readonly List<(Ispb To, string Biz)> _unknown = new();
    private readonly List<Client> _clients = new();
    private readonly Queue<string> _trace = new();
    private readonly RecordingLogger _log = new();
    private int _nextBiz;
    private ulong _leases;

    private sealed class Client(Ispb ispb, ulong stream)
    {
        public Ispb Ispb { get; } = ispb;
        public ulong Stream { get; } = stream;
        public uint Token { get; set; }
        public List<ResourceId> Held { get; set; } = [];
    }

    private StoreSimulation(int seed, string? skipFlushesFrom)
    {
        _seed = seed;
        _random = new Random(seed);
        _segmentBytes = _random.Next(600, 6000);
        _checkpointBytes = _random.Next(800, 10000);
        _retention = _random.Next(2) == 0 ? TimeSpan.Zero : TimeSpan.FromMinutes(30);
        _disk = new SimulatedDisk(_clock, "/sim", DataDir) { SkipFlushesFrom = skipFlushesFrom };
    }

    /// <summary>Runs one seed; null when every check held, else what failed, with the seed and the last steps.</summary>
    public static async Task<string?> RunAsync(int seed, string? skipFlushesFrom = null)
    {
        var simulation = new StoreSimulation(seed, skipFlushesFrom);
        try
        {
            await simulation.RunAsync();
            return null;
        }
        catch (Exception ex)
        {
            var kind = ex is SimulationFailure ? "" : ex.GetType().Name + ": ";
            return $"seed {seed}: {kind}{ex.Message}\n  last steps: {string.Join(" | ", simulation._trace)}\n  the store said: {string.Join(" | ", simulation._log.Lines.Where(l => !l.StartsWith("Debug", StringComparison.Ordinal)).TakeLast(Environment.GetEnvironmentVariable("PIX_SIMULATION_SEEDS") == "1" ? 200 : 6))}";
        }
    }

    private async Task RunAsync()
    {
        for (var round = 0; round < Rounds; round++)
        {
            _disk.CutAfter = _disk.Mutations + _random.Next(1, 300);
            var store = TryOpen();
            if (store is not null)
            {
                try
                {
                    if (await CheckAndResumeAsync(store))
                    {
                        for (var step = 0; step < 120; step++)
                        {
                            if (!await StepAsync(store)) break;
                        }
                    }
                }
                finally
                {
                    await store.DisposeAsync();
                }
            }
            Note("power cut");
            var skipped = _disk.SkipFlushesFrom;
            _disk = _disk.PowerCut(_random);
            _disk.SkipFlushesFrom = skipped;
        }
        var final = TryOpen() ?? throw new SimulationFailure("the store did not open on a disk that no longer fails");
        await using (final)
        {
            if (!await CheckAndResumeAsync(final)) throw new SimulationFailure("a check failed on a disk that no longer fails");
            await DrainAsync(final);
        }
    }

    private EmbeddedQueueStore? TryOpen()
    {
        try
        {
            return new EmbeddedQueueStore(new EmbeddedStoreOptions
            {
                DataDir = DataDir,
                Files = _disk,
                Clock = _clock,
                SegmentBytes = _segmentBytes,
                CheckpointBytes = _checkpointBytes,
                // Tables of about 60 keys: schedules flush, merge and persist the dedup index many times.
                DedupCacheBytes = 16 * 1024,
                Retention = _retention,
                StreamIdleTimeout = TimeSpan.FromMilliseconds(Times.IdleMilliseconds),
                Logger = _log,
            });
        }
        catch (IOException) when (_disk.IsCut)
        {
            Note("cut while opening");
            return null;
        }
        catch (LogCorruptedException ex)
        {
            throw new SimulationFailure("a power cut left a log the store calls damaged: " + ex.Message);
        }
    }

    /// <summary>Right after a recovery: the store holds what the model says; then the clients whose writes got no
    /// answer resend them (dedup says whether they were stored), and streams of clients lost in the cut expire.</summary>
    private async Task<bool> CheckAndResumeAsync(EmbeddedQueueStore store)
    {
        var queued = new Dictionary<ResourceId, Ispb>();
        foreach (var receiver in Receivers)
        {
            foreach (var message in store.Unacknowledged(receiver))
            {
                if (!queued.TryAdd(message.Id, receiver)) throw new SimulationFailure($"{message.Id} is queued twice after recovery");
            }
        }
        foreach (var (biz, id) in _stored)
        {
            if (_acked.Contains(id) || _maybeAcked.Contains(id)) continue;
            if (!queued.TryGetValue(id, out var at)) throw new SimulationFailure($"{biz} ({id}) got a 201 and is gone after recovery");
            if (at != _messages[id].To) throw new SimulationFailure($"{biz} ({id}) is in the queue of {at}, not {_messages[id].To}");
        }
        foreach (var id in _acked)
        {
            if (queued.ContainsKey(id)) throw new SimulationFailure($"{_messages[id].Biz} ({id}) was acknowledged by a reader and is back after recovery");
        }
        foreach (var id in _maybeAcked)
        {
            if (!queued.ContainsKey(id)) _acked.Add(id);
        }
        _maybeAcked.Clear();
        _clients.Clear();
        var unknown = _unknown.Count;
        foreach (var (id, _) in queued)
        {
            if (!_messages.ContainsKey(id) && unknown-- <= 0) throw new SimulationFailure($"{id} is queued but no client was given it and no unanswered write could be it");
        }

        foreach (var (to, biz) in _unknown.ToList())
        {
            var batch = new AppendBatch();
            batch.Add(Incoming(to, biz));
            if (!await TryAsync(() => store.AppendAsync(batch).AsTask(), $"resend {biz}")) return false;
            Record(to, biz, batch.Outcomes[0].Id);
            _unknown.RemoveAt(0);
        }
        foreach (var (id, _) in queued)
        {
            if (!_messages.ContainsKey(id)) throw new SimulationFailure($"{id} is queued but no resend of an unanswered write found it");
        }
        _clock.Advance(TimeSpan.FromMilliseconds(Times.IdleMilliseconds + 1000));
        return await TryAsync(() => store.ExpireIdleAsync([]).AsTask(), "expire streams of clients lost in the cut") && Idle(store);
    }

    private async Task<bool> StepAsync(EmbeddedQueueStore store)
    {
        var roll = _random.Next(100);
        var ok = roll switch
        {
            < 35 => await AppendAsync(store),
            < 42 => await ResendAsync(store),
            < 52 => await OpenAsync(store),
            < 77 => await ReadAsync(store),
            < 84 => await RepeatAsync(store),
            < 92 => await CloseAsync(store),
            < 95 => await ExpireAsync(store),
            _ => Advance(),
        };
        return ok && Idle(store);
    }

    private async Task<bool> AppendAsync(EmbeddedQueueStore store)
    {
        var to = Receivers[_random.Next(Receivers.Length)];
        var batch = new AppendBatch();
        var names = new List<string>();
        for (var i = _random.Next(1, 4); i > 0; i--)
        {
            var biz = $"B{_seed}x{_nextBiz++}";
            names.Add(biz);
            batch.Add(Incoming(to, biz));
        }
        if (!await TryAsync(() => store.AppendAsync(batch).AsTask(), $"append {names.Count} to {to}"))
        {
            foreach (var biz in names) _unknown.Add((to, biz));
            return false;
        }
        for (var i = 0; i < names.Count; i++)
        {
            if (batch.Outcomes[i].Duplicate) throw new SimulationFailure($"a new message {names[i]} was answered as a duplicate");
            Record(to, names[i], batch.Outcomes[i].Id);
        }
        return true;
    }

    private async Task<bool> ResendAsync(EmbeddedQueueStore store)
    {
        if (_stored.Count == 0) return true;
        var biz = _stored.Keys.ElementAt(_random.Next(_stored.Count));
        var original = _stored[biz];
        var batch = new AppendBatch();
        batch.Add(Incoming(_messages[original].To, biz));
        if (!await TryAsync(() => store.AppendAsync(batch).AsTask(), $"resend {biz}")) return false;
        if (!batch.Outcomes[0].Duplicate || batch.Outcomes[0].Id != original)
        {
            throw new SimulationFailure($"a resend of {biz} got {batch.Outcomes[0]}, not its original id {original}");
        }
        return true;
    }

    private async Task<bool> OpenAsync(EmbeddedQueueStore store)
    {
        var ispb = Receivers[_random.Next(Receivers.Length)];
        if (_clients.Count(c => c.Ispb == ispb) >= 2) return true;
        OpenResult opened = default;
        if (!await TryAsync(async () => opened = await store.OpenStreamAsync(ispb, 6, Times), $"open on {ispb}")) return false;
        if (!opened.Opened) throw new SimulationFailure($"no stream slot for {ispb} with {_clients.Count} clients");
        _clients.Add(new Client(ispb, opened.StreamId));
        return true;
    }

    private async Task<bool> ReadAsync(EmbeddedQueueStore store)
    {
        if (_clients.Count == 0) return true;
        var client = _clients[_random.Next(_clients.Count)];
        var into = new MessageBatch();
        var max = _random.Next(1, MessageBatch.Capacity + 1);
        var lease = ++_leases;
        StreamReadResult result = default;
        var read = new ReadRequest(client.Ispb, client.Stream, client.Token, ReadMode.Advance, max, lease, Times);
        if (!await TryAsync(async () => result = await store.ReadAsync(read, into), $"read {client.Stream}@{client.Token}"))
        {
            foreach (var id in client.Held) _maybeAcked.Add(id);
            return false;
        }
        if (result.Status != ReadStatus.Ok) throw new SimulationFailure($"read {client.Stream}@{client.Token} answered {result.Status}");
        foreach (var id in client.Held) _acked.Add(id);
        // The power went while the payloads were read: the machine is dead, nobody sees this answer.
        if (_disk.IsCut) return false;
        client.Held = Delivered(into);
        client.Token = result.Batch;
        if (into.Count == 0)
        {
            var release = read with { Batch = client.Token, Mode = ReadMode.Release, Max = 0 };
            if (!await TryAsync(async () => await store.ReadAsync(release, into), "release")) return false;
        }
        return true;
    }

    private async Task<bool> RepeatAsync(EmbeddedQueueStore store)
    {
        var client = _clients.Count == 0 ? null : _clients[_random.Next(_clients.Count)];
        if (client is null || client.Token == 0) return true;
        var into = new MessageBatch();
        StreamReadResult result = default;
        var read = new ReadRequest(client.Ispb, client.Stream, client.Token - 1, ReadMode.Advance, MessageBatch.Capacity, ++_leases, Times);
        if (!await TryAsync(async () => result = await store.ReadAsync(read, into), $"repeat {client.Stream}@{client.Token - 1}")) return false;
        if (result.Status != ReadStatus.Ok || result.Batch != client.Token) throw new SimulationFailure($"repeat {client.Stream}@{client.Token - 1} answered {result}");
        if (_disk.IsCut) return false;
        var again = Delivered(into);
        // An empty batch is filled by whichever read comes next, a repeat included.
        if (client.Held.Count == 0) client.Held = again;
        else if (!again.SequenceEqual(client.Held)) throw new SimulationFailure($"repeat of stream {client.Stream} sent [{string.Join(",", again)}], not [{string.Join(",", client.Held)}]");
        if (into.Count == 0)
        {
            var release = read with { Batch = client.Token, Mode = ReadMode.Release, Max = 0 };
            if (!await TryAsync(async () => await store.ReadAsync(release, into), "release")) return false;
        }
        return true;
    }

    private async Task<bool> CloseAsync(EmbeddedQueueStore store)
    {
        if (_clients.Count == 0) return true;
        var client = _clients[_random.Next(_clients.Count)];
        var acknowledge = client.Token == 0 || _random.Next(3) > 0;
        CloseResult result = default;
        var close = new CloseRequest(client.Ispb, client.Stream, acknowledge ? client.Token : client.Token - 1);
        _clients.Remove(client);
        if (!await TryAsync(async () => result = await store.CloseStreamAsync(close), $"close {client.Stream} {(acknowledge ? "ack" : "release")}"))
        {
            if (acknowledge) foreach (var id in client.Held) _maybeAcked.Add(id);
            return false;
        }
        if (result.Status != ReadStatus.Ok) throw new SimulationFailure($"close of stream {client.Stream} answered {result.Status}");
        if (acknowledge) foreach (var id in client.Held) _acked.Add(id);
        return true;
    }

    private async Task<bool> ExpireAsync(EmbeddedQueueStore store)
    {
        _clock.Advance(TimeSpan.FromMilliseconds(Times.IdleMilliseconds + 1000));
        var expired = new List<ExpiredStream>();
        _clients.Clear();
        return await TryAsync(() => store.ExpireIdleAsync(expired).AsTask(), "expire idle streams");
    }

    private bool Advance()
    {
        var by = TimeSpan.FromSeconds(_random.Next(1, 300));
        Note($"clock +{by.TotalSeconds}s");
        _clock.Advance(by);
        return true;
    }

    /// <summary>The final check: a reader drains both queues and gets exactly what is stored and not acknowledged.</summary>
    private async Task DrainAsync(EmbeddedQueueStore store)
    {
        foreach (var receiver in Receivers)
        {
            var expected = _messages.Where(m => m.Value.To == receiver && !_acked.Contains(m.Key)).Select(m => m.Key).ToHashSet();
            var opened = await store.OpenStreamAsync(receiver, 6, Times);
            var token = 0u;
            var into = new MessageBatch();
            var seen = new HashSet<ResourceId>();
            while (true)
            {
                var result = await store.ReadAsync(new ReadRequest(receiver, opened.StreamId, token, ReadMode.Advance, MessageBatch.Capacity, ++_leases, Times), into);
                if (result.Status != ReadStatus.Ok) throw new SimulationFailure($"drain of {receiver} answered {result.Status}");
                token = result.Batch;
                if (into.Count == 0) break;
                List<ResourceId> delivered;
                try
                {
                    delivered = Delivered(into);
                }
                catch (SimulationFailure failure) when (Environment.GetEnvironmentVariable("PIX_SIMULATION_SEEDS") == "1")
                {
                    var now = string.Join(",", store.Unacknowledged(receiver).Select(m => $"{m.Id.Low}@{m.Sequence}:{m.Position >> 40}/{m.Position & 0xFFFFFFFFFF}"));
                    throw new SimulationFailure(failure.Message + " | queue now: " + now + " | batch: " + string.Join(",", into.Items.ToArray().Select(m => $"{m.Id.Low}@{m.Sequence}:{m.Position >> 40}/{m.Position & 0xFFFFFFFFFF}")));
                }
                foreach (var id in delivered)
                {
                    if (!seen.Add(id)) throw new SimulationFailure($"{id} delivered twice in the drain");
                }
            }
            if (!seen.SetEquals(expected))
            {
                throw new SimulationFailure($"the drain of {receiver} gave {seen.Count} messages, the model expects {expected.Count}: missing [{string.Join(",", expected.Except(seen))}], extra [{string.Join(",", seen.Except(expected))}]");
            }
        }
    }

    /// <summary>The ids of a delivered batch, each checked: known, never acknowledged, its bytes as sent.</summary>
    private List<ResourceId> Delivered(MessageBatch into)
    {
        var ids = new List<ResourceId>();
        for (var i = 0; i < into.Count; i++)
        {
            var id = into[i].Id;
            if (!_messages.TryGetValue(id, out var message)) throw new SimulationFailure($"delivered {id}, which no client was given");
            if (_acked.Contains(id)) throw new SimulationFailure($"delivered {message.Biz} ({id}) again after a reader acknowledged it");
            if (into.IsDamaged(i) || !into.Payload(i).SequenceEqual(Payload(message.Biz))) throw new SimulationFailure($"{message.Biz} ({id}) came back {(into.IsDamaged(i) ? "damaged" : "with other bytes: " + Encoding.ASCII.GetString(into.Payload(i)))} (sequence {into[i].Sequence}) from segment {into[i].Position >> 40} offset {into[i].Position & ((1L << 40) - 1)}");
            ids.Add(id);
        }
        return ids;
    }

    private void Record(Ispb to, string biz, ResourceId id)
    {
        if (_messages.TryGetValue(id, out var known) && known.Biz != biz) throw new SimulationFailure($"{id} was given to both {known.Biz} and {biz}");
        _stored[biz] = id;
        _messages[id] = (to, biz);
    }

    private IncomingMessage Incoming(Ispb to, string biz) =>
        new(to, Sender, Encoding.ASCII.GetBytes(biz), Payload(biz), Disposition.Deliver);

    // Sizes vary so that records straddle 512-byte sectors and segments roll at different places.
    private static byte[] Payload(string biz) =>
        Encoding.ASCII.GetBytes($"<Msg>{biz}{new string('.', (int)(System.IO.Hashing.XxHash32.HashToUInt32(Encoding.ASCII.GetBytes(biz)) & 511))}</Msg>");

    /// <summary>Runs one store call; false when the power cut made it fail (its outcome is then unknown).</summary>
    private async Task<bool> TryAsync(Func<Task> call, string step)
    {
        Note(step);
        try
        {
            await call();
            return true;
        }
        catch (StoreUnavailableException) when (_disk.IsCut)
        {
            return false;
        }
    }

    // The writer finishes what the call started (a checkpoint, retention) before the next call: a fixed order of
    // file operations for a seed. A cut during that work ends the round.
    private bool Idle(EmbeddedQueueStore store)
    {
        store.WaitForWriterIdle();
        return !_disk.IsCut;
    }

    private void Note(string step)
    {
        _trace.Enqueue(step);
        if (_trace.Count > 30) _trace.Dequeue();
    }

    private sealed class SimulationFailure(string message) : Exception(message);
}
