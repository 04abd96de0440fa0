using System.IO.Hashing;
using Pix.Protocol.Ids;

namespace Pix.Storage.Queues;

/// <summary>
/// Remembers (From, BizMsgIdr) -> ResourceId for the dedup window. The id text is hashed to 128 bits (XxHash128):
/// a collision inside one sender's 24 hours is far less likely than a disk error, and the key stays a fixed-size
/// struct with no string per message.
/// </summary>
public sealed class DedupIndex(TimeSpan window)
{
    private readonly Dictionary<Key, ResourceId> _ids = new();
    private readonly Queue<(long AtMs, Key Key)> _order = new();
    private readonly Lock _lock = new();

    public readonly record struct Key(ulong From, UInt128 Hash);

    public static Key KeyOf(Ispb from, ReadOnlySpan<byte> bizMsgIdr) => new(from.Packed, XxHash128.HashToUInt128(bizMsgIdr));

    public bool TryGet(in Key key, out ResourceId id)
    {
        lock (_lock) return _ids.TryGetValue(key, out id);
    }

    public void Add(in Key key, ResourceId id, long nowMs)
    {
        lock (_lock)
        {
            if (!_ids.TryAdd(key, id)) return;
            _order.Enqueue((nowMs, key));
            var horizon = nowMs - (long)window.TotalMilliseconds;
            while (_order.TryPeek(out var oldest) && oldest.AtMs < horizon)
            {
                _order.Dequeue();
                _ids.Remove(oldest.Key);
            }
        }
    }

    /// <summary>Every key inside the window with the time it was added, oldest first (for a checkpoint).</summary>
    public void CopyTo(List<(long AtMs, Key Key, ResourceId Id)> into)
    {
        lock (_lock)
        {
            foreach (var (atMs, key) in _order) into.Add((atMs, key, _ids[key]));
        }
    }

    public int Count
    {
        get { lock (_lock) return _ids.Count; }
    }
}
