namespace Pix.Storage;

/// <summary>The messages of one stream batch (at most <see cref="Capacity"/>), reused across requests.</summary>
public sealed class MessageBatch
{
    public const int Capacity = 10;
    private readonly StoredMessage[] _items = new StoredMessage[Capacity];

    public int Count { get; private set; }
    public uint Batch { get; set; }

    public ref readonly StoredMessage this[int index] => ref _items[index];

    public ReadOnlySpan<StoredMessage> Items => _items.AsSpan(0, Count);

    public void Add(in StoredMessage message) => _items[Count++] = message;

    public void Clear()
    {
        Count = 0;
        Batch = 0;
    }
}
