using System.Runtime.CompilerServices;

namespace Pix.Protocol.Signatures;

/// <summary>
/// The namespace declarations exclusive C14N has written on the open output elements, innermost last. A prefix an
/// element uses is declared on it unless the nearest output ancestor already declared the same URI for it.
/// </summary>
internal struct RenderedNamespaces
{
    public const int Capacity = 64;

    private Entries _entries;

    public int Count { get; private set; }

    public bool Push(int prefixStart, int prefixLength, int uriStart, int uriLength)
    {
        if (Count == Capacity) return false;
        ref var entry = ref _entries[Count++];
        entry.PrefixStart = prefixStart;
        entry.PrefixLength = prefixLength;
        entry.UriStart = uriStart;
        entry.UriLength = uriLength;
        return true;
    }

    public void Restore(int mark) => Count = mark;

    /// <summary>The URI last rendered for <paramref name="prefix"/>, if any output ancestor rendered one.</summary>
    public readonly bool TryFind(ReadOnlySpan<byte> xml, ReadOnlySpan<byte> prefix, out ReadOnlySpan<byte> uri)
    {
        for (var e = Count - 1; e >= 0; e--)
        {
            ref readonly var entry = ref _entries[e];
            if (prefix.SequenceEqual(xml.Slice(entry.PrefixStart, entry.PrefixLength)))
            {
                uri = xml.Slice(entry.UriStart, entry.UriLength);
                return true;
            }
        }
        uri = default;
        return false;
    }

    private struct Entry
    {
        public int PrefixStart;
        public int PrefixLength;
        public int UriStart;
        public int UriLength;
    }

    [InlineArray(Capacity)]
    private struct Entries
    {
        private Entry _first;
    }
}
