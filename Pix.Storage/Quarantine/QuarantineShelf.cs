using Pix.Protocol.Ids;

namespace Pix.Storage.Quarantine;

/// <summary>
/// The quarantined messages of an in-process store, per sender, oldest first: the memory adapter keeps the bytes
/// here, the embedded one their log position. Bounded by the retention and the per-sender quota, never by what a
/// caller sends. Not thread-safe: callers lock the shelf.
/// </summary>
public sealed class QuarantineShelf(QuarantineLimits limits)
{
    private readonly Dictionary<Ispb, LinkedList<Entry>> _bySender = new();
    private readonly Dictionary<ResourceId, LinkedListNode<Entry>> _byId = new();

    /// <summary>A kept message: <see cref="Position"/> means what the adapter wants (a log position), or it keeps the
    /// <see cref="Payload"/> itself.</summary>
    public sealed record Entry(QuarantinedMessage Message, long Position, byte[]? Payload);

    public int Count => _byId.Count;

    public void Add(Entry entry, long nowMs)
    {
        var from = entry.Message.From;
        if (!_bySender.TryGetValue(from, out var list)) _bySender[from] = list = new LinkedList<Entry>();
        _byId[entry.Message.Id] = list.AddLast(entry);
        Trim(from, list, nowMs);
    }

    public bool TryGet(ResourceId id, out Entry entry)
    {
        if (_byId.TryGetValue(id, out var node))
        {
            entry = node.Value;
            return true;
        }
        entry = null!;
        return false;
    }

    public bool Remove(ResourceId id)
    {
        if (!_byId.Remove(id, out var node)) return false;
        var list = node.List!;
        list.Remove(node);
        if (list.Count == 0) _bySender.Remove(node.Value.Message.From);
        return true;
    }

    /// <summary>Points a kept message at a new place (the embedded store moved its record forward); false when none is kept.</summary>
    public bool Move(ResourceId id, long position)
    {
        if (!_byId.TryGetValue(id, out var node)) return false;
        node.Value = node.Value with { Position = position };
        return true;
    }

    public void List(Ispb from, long sinceUnixMs, int max, long nowMs, List<QuarantinedMessage> into)
    {
        if (!_bySender.TryGetValue(from, out var list)) return;
        Trim(from, list, nowMs);
        foreach (var entry in list)
        {
            if (into.Count >= max) return;
            if (entry.Message.StoredAtUnixMs >= sinceUnixMs) into.Add(entry.Message);
        }
    }

    /// <summary>Every entry, oldest first per sender (checkpoints, and the oldest position the log must keep).</summary>
    public IEnumerable<Entry> Entries => _bySender.Values.SelectMany(list => list);

    /// <summary>Drops what the retention and quota no longer keep, for every sender.</summary>
    public void Expire(long nowMs)
    {
        foreach (var (from, list) in _bySender.ToList()) Trim(from, list, nowMs);
    }

    private void Trim(Ispb from, LinkedList<Entry> list, long nowMs)
    {
        var horizon = nowMs - (long)limits.Retention.TotalMilliseconds;
        while (list.First is { } oldest && (list.Count > limits.QuotaPerSender || oldest.Value.Message.StoredAtUnixMs < horizon))
        {
            _byId.Remove(oldest.Value.Message.Id);
            list.RemoveFirst();
        }
        if (list.Count == 0) _bySender.Remove(from);
    }
}
