using System.Buffers;

namespace Pix.Storage;

/// <summary>
/// The messages of one stream batch (at most <see cref="Capacity"/>) with their bytes, as one read returned them;
/// reused across requests. Payload bytes live in one pooled buffer that grows with the batch and shrinks back after
/// an unusually large one, so a connection keeps at most <see cref="RetainedBytes"/> between requests.
/// </summary>
public sealed class MessageBatch
{
    public const int Capacity = 10;
    /// <summary>Ten messages of 8 KiB, the common shape, stay allocated; a larger buffer goes back to the pool.</summary>
    public const int RetainedBytes = 128 * 1024;

    private readonly StoredMessage[] _items = new StoredMessage[Capacity];
    private readonly int[] _offsets = new int[Capacity];
    private readonly bool[] _damaged = new bool[Capacity];
    private byte[] _bytes = [];
    private int _used;

    public int Count { get; private set; }
    public uint Batch { get; set; }

    public ref readonly StoredMessage this[int index] => ref _items[index];

    public ReadOnlySpan<StoredMessage> Items => _items.AsSpan(0, Count);

    /// <summary>The message's stored bytes; empty when <see cref="IsDamaged"/>.</summary>
    public ReadOnlySpan<byte> Payload(int index) => _damaged[index] ? default : _bytes.AsSpan(_offsets[index], _items[index].Length);

    /// <summary>The stored bytes failed their checksum or could not be read: the message is left out of the answer.</summary>
    public bool IsDamaged(int index) => _damaged[index];

    public int DamagedCount
    {
        get
        {
            var count = 0;
            for (var i = 0; i < Count; i++) count += _damaged[i] ? 1 : 0;
            return count;
        }
    }

    /// <summary>Adds a message and returns the span its bytes go into (exactly <see cref="StoredMessage.Length"/>).</summary>
    public Span<byte> Add(in StoredMessage message)
    {
        var index = Count++;
        _items[index] = message;
        _damaged[index] = false;
        Reserve(message.Length);
        _offsets[index] = _used;
        _used += message.Length;
        return _bytes.AsSpan(_offsets[index], message.Length);
    }

    /// <summary>Adds a message with its bytes.</summary>
    public void Add(in StoredMessage message, ReadOnlySpan<byte> payload) => payload.CopyTo(Add(message));

    public void MarkDamaged(int index) => _damaged[index] = true;

    /// <summary>Empties the batch; an unusually large byte buffer goes back to the pool.</summary>
    public void Clear()
    {
        Count = 0;
        Batch = 0;
        _used = 0;
        if (_bytes.Length > RetainedBytes)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = [];
        }
    }

    private void Reserve(int length)
    {
        if (_used + length <= _bytes.Length) return;
        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_used + length, Math.Max(16 * 1024, _bytes.Length * 2)));
        _bytes.AsSpan(0, _used).CopyTo(grown);
        if (_bytes.Length > 0) ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = grown;
    }
}
