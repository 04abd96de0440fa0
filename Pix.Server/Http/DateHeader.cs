namespace Pix.Server.Http;

/// <summary>
/// The RFC 9110 <c>Date</c> value, formatted once a second by a timer into one fixed buffer and copied into every
/// response. Formatted in place rather than into a new string and array each second (136 B/s, which the allocation
/// gate divided among the embedded ingest row's few fsync-bound operations); a sequence number tells a copy that
/// raced a rewrite to copy again.
/// </summary>
public sealed class DateHeader : IDisposable
{
    /// <summary>"Sun, 06 Nov 1994 08:49:37 GMT": the IMF-fixdate is always this long.</summary>
    public const int Length = 29;

    private readonly byte[] _value = new byte[Length];
    private readonly ITimer _timer;
    private readonly TimeProvider _clock;
    // Odd while the timer rewrites _value.
    private int _sequence;

    public DateHeader(TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        Format();
        _timer = _clock.CreateTimer(static header => ((DateHeader)header!).Format(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Copies the current value into <paramref name="destination"/> (at least <see cref="Length"/> bytes).</summary>
    public void CopyTo(Span<byte> destination)
    {
        var spin = new SpinWait();
        while (true)
        {
            var before = Volatile.Read(ref _sequence);
            if ((before & 1) == 0)
            {
                _value.CopyTo(destination);
                // The copy's reads complete before the sequence is read again.
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _sequence) == before) return;
            }
            spin.SpinOnce();
        }
    }

    private void Format()
    {
        Interlocked.Increment(ref _sequence);
        _clock.GetUtcNow().TryFormat(_value, out _, "r", System.Globalization.CultureInfo.InvariantCulture);
        Interlocked.Increment(ref _sequence);
    }

    public void Dispose() => _timer.Dispose();
}
