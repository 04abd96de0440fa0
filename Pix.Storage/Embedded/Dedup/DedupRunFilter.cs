using System.Buffers.Binary;
using System.IO.Hashing;

namespace Pix.Storage.Embedded.Dedup;

/// <summary>
/// A run's filter: one <see cref="FuseFilter"/> per hash prefix. A run is written in hash order, so each part is
/// built from the keys of one contiguous stretch as it streams past, and building needs memory for one part
/// (about 128k to 256k keys), never for the whole run.
/// </summary>
internal sealed class DedupRunFilter
{
    private const long KeysPerPart = 131_072;

    private readonly FuseFilter[] _parts;
    private readonly int _partBits;

    private DedupRunFilter(int partBits, FuseFilter[] parts)
    {
        _partBits = partBits;
        _parts = parts;
    }

    public long ByteLength => 4 + _parts.Sum(p => (long)p.ByteLength);

    public bool MayContain(ulong hash) => _parts[PartOf(hash)].MayContain(hash);

    /// <summary>Writes the filter at <paramref name="offset"/>, adding what it writes to <paramref name="crc"/>.</summary>
    public void WriteTo(DedupFile file, long offset, Crc32 crc)
    {
        var buffer = new byte[Math.Max(4, _parts.Max(p => p.ByteLength))];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, _partBits);
        Write(buffer.AsSpan(0, 4));
        foreach (var part in _parts)
        {
            part.WriteTo(buffer);
            Write(buffer.AsSpan(0, part.ByteLength));
        }

        void Write(ReadOnlySpan<byte> bytes)
        {
            file.WriteAt(bytes, offset);
            crc.Append(bytes);
            offset += bytes.Length;
        }
    }

    public static bool TryRead(ReadOnlySpan<byte> source, out DedupRunFilter? filter)
    {
        filter = null;
        if (source.Length < 4) return false;
        var partBits = BinaryPrimitives.ReadInt32LittleEndian(source);
        if (partBits is < 0 or > 24) return false;
        var parts = new FuseFilter[1 << partBits];
        var at = 4;
        for (var i = 0; i < parts.Length; i++)
        {
            if (!FuseFilter.TryRead(source[at..], out var part, out var consumed)) return false;
            parts[i] = part!;
            at += consumed;
        }
        if (at != source.Length) return false;
        filter = new DedupRunFilter(partBits, parts);
        return true;
    }

    private int PartOf(ulong hash) => _partBits == 0 ? 0 : (int)(hash >> (64 - _partBits));

    /// <summary>Takes hashes in nondecreasing order, building each part when the stream leaves it.</summary>
    internal sealed class Builder
    {
        private readonly int _fingerprintBits;
        private readonly FuseFilter[] _parts;
        private readonly int _partBits;
        private readonly FuseFilter.Scratch _scratch = new();
        private ulong[] _pending = new ulong[1024];
        private int _pendingCount;
        private int _part;

        public Builder(long maxEntries, int fingerprintBits)
        {
            _fingerprintBits = fingerprintBits;
            _partBits = 0;
            while (_partBits < 24 && maxEntries >> (_partBits + 1) >= KeysPerPart) _partBits++;
            _parts = new FuseFilter[1 << _partBits];
        }

        public void Add(ulong hash)
        {
            var part = _partBits == 0 ? 0 : (int)(hash >> (64 - _partBits));
            while (part > _part) Seal();
            // Equal hashes (two keys, one 64-bit hash) are one entry to the filter.
            if (_pendingCount > 0 && _pending[_pendingCount - 1] == hash) return;
            if (_pendingCount == _pending.Length) Array.Resize(ref _pending, _pending.Length * 2);
            _pending[_pendingCount++] = hash;
        }

        public DedupRunFilter Finish()
        {
            while (_part < _parts.Length) Seal();
            return new DedupRunFilter(_partBits, _parts);
        }

        private void Seal()
        {
            _parts[_part++] = FuseFilter.Build(_pending.AsSpan(0, _pendingCount), _fingerprintBits, _scratch);
            _pendingCount = 0;
        }
    }
}
