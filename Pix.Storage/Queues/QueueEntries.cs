using System.Runtime.CompilerServices;

namespace Pix.Storage.Queues;

/// <summary>
/// A queue's entries by sequence, in <see cref="QueueChunk"/>s, copy-on-write per chunk: <see cref="Freeze"/> hands a
/// checkpoint the chunks as they are (an array of references, whatever the queue's length), and a later write to one
/// of them first replaces it with a copy. The checkpoint thread reads the frozen chunks without any lock, since
/// nothing writes them any more. Not thread-safe: the queue's lock guards it.
/// </summary>
internal sealed class QueueEntries
{
    private QueueChunk[] _chunks = new QueueChunk[4];
    private int _count;
    private long _first;          // sequence of _chunks[0]'s first entry
    private int _epoch;           // epoch of chunks made now
    private int _frozenBelow;     // chunks of an older epoch belong to a checkpoint's image: copy before writing

    public QueueEntries(long first) => _first = first;

    /// <summary>The sequence of the first chunk's first entry.</summary>
    public long First => _first;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly QueueSlot Slot(long sequence)
    {
        var offset = sequence - _first;
        return ref _chunks[offset >> QueueChunk.Shift].Slots[offset & QueueChunk.Mask];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte State(long sequence)
    {
        var offset = sequence - _first;
        return _chunks[offset >> QueueChunk.Shift].States[offset & QueueChunk.Mask];
    }

    public ref QueueSlot WritableSlot(long sequence)
    {
        var offset = sequence - _first;
        return ref Writable((int)(offset >> QueueChunk.Shift)).Slots[offset & QueueChunk.Mask];
    }

    public void SetState(long sequence, byte state)
    {
        var offset = sequence - _first;
        var chunk = (int)(offset >> QueueChunk.Shift);
        if (_chunks[chunk].States[offset & QueueChunk.Mask] == state) return;
        Writable(chunk).States[offset & QueueChunk.Mask] = state;
    }

    /// <summary>Makes room for <paramref name="sequence"/>, the next one appended.</summary>
    public void EnsureCapacity(long sequence)
    {
        var offset = sequence - _first;
        var chunk = (int)(offset >> QueueChunk.Shift);
        var slot = (int)(offset & QueueChunk.Mask);
        if (chunk == _count)
        {
            if (_count == _chunks.Length) Array.Resize(ref _chunks, _count * 2);
            _chunks[_count++] = new QueueChunk(QueueChunk.Smallest, _epoch);
        }
        var last = _chunks[chunk];
        if (slot >= last.Capacity)
        {
            // Growing copies, so the grown chunk is the queue's own even when the old one is frozen.
            _chunks[chunk] = last.Copy(Math.Min(QueueChunk.Size, Math.Max(last.Capacity * 2, slot + 1)), _epoch);
        }
    }

    /// <summary>Room for every sequence up to <paramref name="next"/> at once, in full chunks (recovery knows the
    /// queue's length: no chunk grows by copies).</summary>
    public void Reserve(long next)
    {
        var total = next - _first;
        var chunks = (int)((total + QueueChunk.Mask) >> QueueChunk.Shift);
        if (chunks > _chunks.Length) Array.Resize(ref _chunks, chunks);
        for (; _count < chunks; _count++)
        {
            var left = total - ((long)_count << QueueChunk.Shift);
            _chunks[_count] = new QueueChunk((int)Math.Min(QueueChunk.Size, Math.Max(left, QueueChunk.Smallest)), _epoch);
        }
    }

    /// <summary>A chunk to fill in place, right after <see cref="Reserve"/> (recovery: nothing is frozen yet).</summary>
    public QueueChunk ChunkAt(int index) => _chunks[index];

    /// <summary>Room for every sequence up to <paramref name="next"/>, its chunks made later by
    /// <see cref="MakeChunk"/>: recovery makes each on the thread that fills it.</summary>
    public void ReserveUnmade(long next)
    {
        var chunks = (int)((next - _first + QueueChunk.Mask) >> QueueChunk.Shift);
        if (chunks > _chunks.Length) Array.Resize(ref _chunks, chunks);
        _count = chunks;
    }

    /// <summary>Makes chunk <paramref name="index"/> after <see cref="ReserveUnmade"/>, sized as <see cref="Reserve"/>
    /// would (distinct chunks may be made on distinct threads).</summary>
    public QueueChunk MakeChunk(int index, long next)
    {
        var left = next - _first - ((long)index << QueueChunk.Shift);
        return _chunks[index] = new QueueChunk((int)Math.Min(QueueChunk.Size, Math.Max(left, QueueChunk.Smallest)), _epoch);
    }

    /// <summary>Lets go of what lies before <paramref name="live"/> (everything there is acknowledged): whole chunks,
    /// and when the live entries (up to <paramref name="next"/>) are few and all in one chunk, that chunk's dead
    /// prefix too, so a short queue stays small however long it has been running. A queue read as fast as it is
    /// written keeps its one small chunk and moves its few live entries down in place: no allocation per message.</summary>
    public void DropBefore(long live, long next)
    {
        var drop = (int)((live - _first) >> QueueChunk.Shift);
        if (drop >= _count)
        {
            // Everything acknowledged: the next append starts at its own sequence, in the last chunk when the queue
            // may still write it (no checkpoint holds it) and it is small, else in a new small chunk.
            var last = _count > 0 ? _chunks[_count - 1] : null;
            Array.Clear(_chunks, 0, _count);
            _count = 0;
            _first = live;
            if (last is not null && last.Epoch >= _frozenBelow && last.Capacity <= KeptWhenEmpty)
            {
                _chunks[_count++] = last;
            }
            return;
        }
        if (drop > 0)
        {
            Array.Copy(_chunks, drop, _chunks, 0, _count - drop);
            Array.Clear(_chunks, _count - drop, drop);
            _count -= drop;
            _first += (long)drop << QueueChunk.Shift;
        }
        var count = (int)(next - live);
        var dead = (int)(live - _first);
        if (_count != 1 || dead < QueueChunk.Smallest || dead < count || count > QueueChunk.Size / 2) return;
        var capacity = QueueChunk.Smallest;
        while (capacity < count) capacity *= 2;
        var chunk = _chunks[0];
        if (chunk.Epoch >= _frozenBelow && chunk.Capacity <= capacity * 4)
        {
            // Ours and not much larger than needed: the live entries move to its start.
            chunk.MoveDown(dead, count);
        }
        else
        {
            _chunks[0] = chunk.Copy(capacity, _epoch, dead, count);
        }
        _first = live;
    }

    // An emptied queue keeps a chunk this small for its next appends; a larger one (after a burst) is let go.
    private const int KeptWhenEmpty = 256;

    /// <summary>The chunks as they are now, for a checkpoint to read later without the lock: from now on the queue
    /// copies a chunk before it writes it. Returns the epoch to pass to <see cref="Thaw"/>.</summary>
    public int Freeze(out QueueChunk[] chunks, out long first)
    {
        chunks = _chunks[.._count];
        first = _first;
        _epoch++;
        _frozenBelow = _epoch;
        return _epoch;
    }

    /// <summary>The checkpoint frozen at <paramref name="epoch"/> is written (or dropped): chunks need no copy any
    /// more, unless a later checkpoint froze them again.</summary>
    public void Thaw(int epoch)
    {
        if (epoch == _epoch) _frozenBelow = 0;
    }

    /// <summary>The chunks as they are, for a reader that holds the lock throughout (no freeze).</summary>
    public QueueChunk[] View(out long first)
    {
        first = _first;
        return _chunks[.._count];
    }

    /// <summary>How many bytes the chunks take (tests and the memory bench).</summary>
    public long Bytes
    {
        get
        {
            long bytes = 0;
            for (var i = 0; i < _count; i++) bytes += _chunks[i].Capacity * (long)(Unsafe.SizeOf<QueueSlot>() + 1);
            return bytes;
        }
    }

    private QueueChunk Writable(int index)
    {
        var chunk = _chunks[index];
        if (chunk.Epoch >= _frozenBelow) return chunk;
        return _chunks[index] = chunk.Copy(chunk.Capacity, _epoch);
    }
}
