using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Pix.Protocol.Xml;

/// <summary>Where a check failed, as <c>/Envelope/Document/.../EndToEndId</c> in a fixed inline buffer, so a result
/// carries its location without a heap allocation. Paths longer than the buffer keep their head and end in "...".</summary>
internal struct ElementPath
{
    public const int Capacity = 240;
    public const int MaxDepth = 64;

    private PathBytes _bytes;
    private byte _length;

    [UnscopedRef]
    public readonly ReadOnlySpan<byte> Bytes => ((ReadOnlySpan<byte>)_bytes)[.._length];

    public readonly bool IsEmpty => _length == 0;

    internal void Append(ReadOnlySpan<byte> part)
    {
        Span<byte> all = _bytes;
        if (_length == Capacity) return;
        var room = Capacity - _length;
        if (part.Length <= room)
        {
            part.CopyTo(all[_length..]);
            _length += (byte)part.Length;
            return;
        }
        part[..(room - 3)].CopyTo(all[_length..]);
        "..."u8.CopyTo(all[(Capacity - 3)..]);
        _length = Capacity;
    }

    internal void AppendIndex(int oneBased)
    {
        Span<byte> digits = stackalloc byte[12];
        digits[0] = (byte)'[';
        oneBased.TryFormat(digits[1..], out var n, provider: System.Globalization.CultureInfo.InvariantCulture);
        digits[n + 1] = (byte)']';
        Append(digits[..(n + 2)]);
    }

    public override readonly string ToString() => System.Text.Encoding.UTF8.GetString(Bytes);

    [InlineArray(Capacity)]
    private struct PathBytes
    {
        private byte _first;
    }
}
