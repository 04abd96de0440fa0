using System.Buffers.Binary;

namespace Pix.Storage.Queues;

/// <summary>Reads a checkpoint body in place (little-endian, as <see cref="BinaryWriter"/> wrote it): recovery parses
/// tens of millions of fields, so no stream, no per-field call through a reader object, no allocation.</summary>
public ref struct SnapshotReader(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    public readonly int Position => _position;

    public readonly bool AtEnd => _position == _bytes.Length;

    public byte ReadByte() => _bytes[_position++];

    public int ReadInt32()
    {
        var value = BinaryPrimitives.ReadInt32LittleEndian(_bytes[_position..]);
        _position += 4;
        return value;
    }

    public uint ReadUInt32() => (uint)ReadInt32();

    public long ReadInt64()
    {
        var value = BinaryPrimitives.ReadInt64LittleEndian(_bytes[_position..]);
        _position += 8;
        return value;
    }

    public ulong ReadUInt64() => (ulong)ReadInt64();

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        var bytes = _bytes.Slice(_position, count);
        _position += count;
        return bytes;
    }

    public void Skip(int count)
    {
        if (count < 0 || count > _bytes.Length - _position) throw new InvalidDataException("The checkpoint ends inside a record.");
        _position += count;
    }
}
