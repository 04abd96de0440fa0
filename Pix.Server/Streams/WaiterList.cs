using Pix.Protocol.Ids;
using Pix.Storage.Collections;

namespace Pix.Server.Streams;

/// <summary>
/// The long polls parked on one ISPB, oldest first, as an intrusive list (no node allocation). <see cref="Version"/>
/// counts appends, so a poll that found nothing can park only if nothing arrived since it looked: no lost wake-up.
/// </summary>
internal sealed class WaiterList(Ispb ispb) : ISweepListed
{
    /// <summary>The ISPB whose polls park here (the sweep takes a retired list out of the engine's map by it).</summary>
    public Ispb Ispb { get; } = ispb;

    private readonly Lock _lock = new();
    private LongPollWaiter? _head;
    private LongPollWaiter? _tail;
    private long _version;
    // For release: parks and wakes since the sweeper last looked, and how many sweeps found none.
    private long _activity, _activitySeen;
    private int _quietSweeps;
    private volatile bool _retired;

    /// <summary>Its slot in the engine's sweep list.</summary>
    public int SweepSlot { get; set; } = -1;

    bool ISweepListed.LeftForGood => _retired;

    public long Version => Volatile.Read(ref _version);

    /// <summary>Taken out of the engine's map: a poll holding it looks its ISPB up again.</summary>
    public bool Retired => _retired;

    /// <summary>Parks the waiter unless an append happened after <paramref name="seenVersion"/>.</summary>
    public bool TryPark(LongPollWaiter waiter, long seenVersion)
    {
        lock (_lock)
        {
            if (_retired || _version != seenVersion) return false;
            _activity++;
            waiter.Previous = _tail;
            waiter.Next = null;
            if (_tail is null) _head = waiter;
            else _tail.Next = waiter;
            _tail = waiter;
            return true;
        }
    }

    /// <summary>Records an append of <paramref name="count"/> messages and wakes that many waiters, oldest first.</summary>
    public void Wake(int count)
    {
        lock (_lock)
        {
            _version++;
            _activity++;
            while (count-- > 0 && _head is { } waiter)
            {
                Unlink(waiter);
                waiter.TryComplete(true);
            }
        }
    }

    /// <summary>Times out or cancels the waiters the predicate picks (called by the sweeper).</summary>
    public void Expire(long nowTicks)
    {
        lock (_lock)
        {
            var waiter = _head;
            while (waiter is not null)
            {
                var next = waiter.Next;
                if (waiter.DeadlineTicks <= nowTicks || waiter.Aborted.IsCancellationRequested)
                {
                    Unlink(waiter);
                    waiter.TryComplete(false);
                }
                waiter = next;
            }
        }
    }

    /// <summary>Retires the list once it has been empty and unused for <paramref name="quietSweeps"/> sweeps in a row
    /// (the engine then forgets the ISPB: nothing is kept for ISPBs nobody reads). A retired list parks nobody.</summary>
    public bool TryRetire(int quietSweeps)
    {
        lock (_lock)
        {
            if (_head is not null || _activity != _activitySeen)
            {
                _activitySeen = _activity;
                _quietSweeps = 0;
                return false;
            }
            if (++_quietSweeps < quietSweeps) return false;
            _retired = true;
            return true;
        }
    }

    private void Unlink(LongPollWaiter waiter)
    {
        if (waiter.Previous is null) _head = waiter.Next;
        else waiter.Previous.Next = waiter.Next;
        if (waiter.Next is null) _tail = waiter.Previous;
        else waiter.Next.Previous = waiter.Previous;
        waiter.Previous = waiter.Next = null;
    }
}
