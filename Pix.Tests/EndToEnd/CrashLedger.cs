using System.Collections.Concurrent;

namespace Pix.Tests.EndToEnd;

/// <summary>
/// What the clients of a crash test know for certain: which ids got a 201, which were delivered (and when), and
/// which were acknowledged (the read that acknowledged them was answered). The checks are the durability contract.
/// </summary>
internal sealed class CrashLedger
{
    private long _clock;
    private readonly ConcurrentDictionary<string, byte> _created = new();
    private readonly ConcurrentDictionary<string, long> _acknowledgedAt = new();
    private readonly ConcurrentQueue<(string Id, long At)> _deliveries = new();

    public long Tick() => Interlocked.Increment(ref _clock);

    public void Created(IEnumerable<string> ids)
    {
        foreach (var id in ids) _created.TryAdd(id, 0);
    }

    /// <summary>Deliveries are stamped when the read that carried them was sent: anything acknowledged before that must not come back.</summary>
    public void Delivered(IEnumerable<string> ids, long readSentAt)
    {
        foreach (var id in ids) _deliveries.Enqueue((id, readSentAt));
    }

    public void Acknowledged(IEnumerable<string> ids)
    {
        var now = Tick();
        foreach (var id in ids) _acknowledgedAt.TryAdd(id, now);
    }

    public int CreatedCount => _created.Count;
    public int DeliveryCount => _deliveries.Count;

    public IEnumerable<string> Problems()
    {
        var delivered = _deliveries.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.Select(d => d.At).ToList());
        foreach (var id in _created.Keys)
        {
            if (!delivered.ContainsKey(id)) yield return $"{id} got a 201 but was never delivered";
        }
        foreach (var (id, ackedAt) in _acknowledgedAt)
        {
            foreach (var at in delivered.GetValueOrDefault(id) ?? [])
            {
                if (at > ackedAt) yield return $"{id} was delivered again after it was acknowledged";
            }
        }
    }
}
