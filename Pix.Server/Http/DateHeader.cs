using System.Text;

namespace Pix.Server.Http;

/// <summary>The RFC 9110 <c>Date</c> value, formatted once a second by a timer and copied into every response.</summary>
public sealed class DateHeader : IDisposable
{
    private byte[] _value;
    private readonly Timer _timer;
    private readonly TimeProvider _clock;

    public DateHeader(TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _value = Format();
        _timer = new Timer(_ => _value = Format(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public ReadOnlySpan<byte> Value => Volatile.Read(ref _value);

    private byte[] Format() => Encoding.ASCII.GetBytes(_clock.GetUtcNow().ToString("r"));

    public void Dispose() => _timer.Dispose();
}
