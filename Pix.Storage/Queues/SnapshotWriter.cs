using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Pix.Storage.Queues;

/// <summary>
/// Writes a checkpoint body into one growing array (little-endian, as <see cref="SnapshotReader"/> reads it): fixed
/// fields, LEB128 varints, and room for a length to fill in once what it measures is written. The file is then
/// written from <see cref="Written"/> in place: a body of tens of MiB is not copied again (a
/// <see cref="MemoryStream"/> would copy it on <c>ToArray</c>).
/// </summary>
internal sealed class SnapshotWriter(int capacity = 256)
{
    private byte[] _buffer = GC.AllocateUninitializedArray<byte>(Math.Max(capacity, 16));
    private int _length;

    public int Position => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteUInt32(uint value) => WriteInt32((int)value);

    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteUInt64(ulong value) => WriteInt64((long)value);

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Seven bits a byte, low first, the high bit set on every byte but the last: 1 byte below 128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarUInt64(ulong value)
    {
        Ensure(10);
        var buffer = _buffer;
        var at = _length;
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[at++] = (byte)value;
        _length = at;
    }

    /// <summary>A signed value zigzag-encoded (0, -1, 1, -2, ... as 0, 1, 2, 3, ...), so a small negative delta stays
    /// one byte too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarInt64(long value) => WriteVarUInt64((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Leaves four bytes for an Int32 written later with <see cref="PatchInt32"/>; returns where they are.</summary>
    public int ReserveInt32()
    {
        Ensure(4);
        var at = _length;
        _length += 4;
        return at;
    }

    public void PatchInt32(int at, int value) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at, 4), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int more)
    {
        if (_buffer.Length - _length < more) Grow(more);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int more)
    {
        var needed = (long)_length + more;
        // A checkpoint body's length is an Int32 in its header: past that the file cannot say how long it is.
        if (needed > Array.MaxLength) throw new InvalidOperationException("A checkpoint body over 2 GiB cannot be written.");
        var size = (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_buffer.Length * 2));
        var grown = GC.AllocateUninitializedArray<byte>(size);
        _buffer.AsSpan(0, _length).CopyTo(grown);
        _buffer = grown;
    }
}
