using System.Runtime.CompilerServices;
using Pix.Protocol.Xml;

namespace Pix.Protocol.Signatures;

/// <summary>
/// The namespace declarations in scope while walking a message, and the <c>xml:*</c> attributes of the open elements:
/// offsets into the message bytes, innermost last, so a copy of this struct is a snapshot of what an element's subtree
/// inherits. (SignedXml copies both onto an element it canonicalizes on its own: see <see cref="CanonicalStartTag"/>.)
/// </summary>
internal struct NamespaceScope
{
    public const int MaxXmlAttributes = 8;

    public static ReadOnlySpan<byte> XmlNamespace => "http://www.w3.org/XML/1998/namespace"u8;

    private NamespaceBindings _bindings;
    private XmlAttributeList _xmlAttributes;

    /// <summary>Namespace bindings in scope.</summary>
    public int Count { get; private set; }

    /// <summary><c>xml:*</c> attributes of the open elements.</summary>
    public int XmlAttributeCount { get; private set; }

    /// <summary>What <see cref="Restore"/> takes to drop everything an element declares.</summary>
    public readonly int Mark => Count | XmlAttributeCount << 8;

    /// <summary>The <paramref name="index"/>th <c>xml:*</c> attribute: its qualified name and raw value.</summary>
    public readonly void XmlAttribute(int index, out int nameStart, out int nameLength, out int valueStart, out int valueEnd)
    {
        ref readonly var attribute = ref _xmlAttributes[index];
        nameStart = attribute.NameStart;
        nameLength = attribute.NameLength;
        valueStart = attribute.ValueStart;
        valueEnd = attribute.ValueEnd;
    }

    public bool Declare(int prefixStart, int prefixLength, int uriStart, int uriLength)
    {
        if (Count == NamespaceBindings.MaxBindings) return false;
        ref var binding = ref _bindings[Count++];
        binding.PrefixStart = prefixStart;
        binding.PrefixLength = prefixLength;
        binding.UriStart = uriStart;
        binding.UriLength = uriLength;
        return true;
    }

    /// <summary>Drops the declarations made since <see cref="Mark"/> was <paramref name="mark"/> (an element's end).</summary>
    public void Restore(int mark)
    {
        Count = mark & 0xFF;
        XmlAttributeCount = mark >> 8;
    }

    /// <summary>The URI bound to <paramref name="prefix"/> (the default namespace when empty: empty when none is declared).
    /// False for an undeclared prefix. The <c>xml</c> prefix is the caller's business.</summary>
    public readonly bool TryResolve(ReadOnlySpan<byte> xml, ReadOnlySpan<byte> prefix, out int uriStart, out int uriLength) =>
        TryResolve(xml, prefix, out uriStart, out uriLength, out _);

    /// <summary>As above, with the index of the binding that answered (-1: the default namespace, never declared).</summary>
    public readonly bool TryResolve(ReadOnlySpan<byte> xml, ReadOnlySpan<byte> prefix, out int uriStart, out int uriLength, out int index)
    {
        for (index = Count - 1; index >= 0; index--)
        {
            ref readonly var binding = ref _bindings[index];
            if (prefix.SequenceEqual(xml.Slice(binding.PrefixStart, binding.PrefixLength)))
            {
                uriStart = binding.UriStart;
                uriLength = binding.UriLength;
                return true;
            }
        }
        uriStart = 0;
        uriLength = 0;
        return prefix.IsEmpty;
    }

    /// <summary>Reads the namespace declarations and <c>xml:*</c> attributes of the current start tag into the scope.
    /// Namespace names are taken as written, so ones with references or whitespace (never a valid URI) are refused
    /// rather than normalized.</summary>
    public bool DeclareAll(ReadOnlySpan<byte> xml, ref XmlTokenizer tokens)
    {
        if (tokens.AttributeCount == 0) return true;
        var i = tokens.AttributesStart;
        while (tokens.NextAttribute(ref i, out var nameStart, out var nameLength, out var valueStart, out var valueEnd))
        {
            var name = xml.Slice(nameStart, nameLength);
            if (name.StartsWith("xml:"u8))
            {
                if (XmlAttributeCount == MaxXmlAttributes) return false;
                _xmlAttributes[XmlAttributeCount++] = new XmlAttributeRange(nameStart, nameLength, valueStart, valueEnd);
                continue;
            }
            var isDefault = name.SequenceEqual("xmlns"u8);
            if (!isDefault && !name.StartsWith("xmlns:"u8)) continue;
            var value = xml[valueStart..valueEnd];
            if (value.IndexOfAny("&\t\n\r "u8) >= 0) return false;
            var prefixStart = nameStart + (isDefault ? 5 : 6);
            var prefixLength = isDefault ? 0 : nameLength - 6;
            var prefix = xml.Slice(prefixStart, prefixLength);
            if (prefix.SequenceEqual("xmlns"u8)) return false;
            if (prefix.SequenceEqual("xml"u8))
            {
                // Binding xml to its own namespace is allowed and changes nothing; to anything else is an error.
                if (!value.SequenceEqual(XmlNamespace)) return false;
                continue;
            }
            if (!isDefault && value.IsEmpty) return false;
            if (!Declare(prefixStart, prefixLength, valueStart, valueEnd - valueStart)) return false;
        }
        return true;
    }

    private readonly record struct XmlAttributeRange(int NameStart, int NameLength, int ValueStart, int ValueEnd);

    [InlineArray(MaxXmlAttributes)]
    private struct XmlAttributeList
    {
        private XmlAttributeRange _first;
    }
}
