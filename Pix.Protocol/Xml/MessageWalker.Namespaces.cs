namespace Pix.Protocol.Xml;

/// <summary>Namespace declarations in scope and prefix resolution (offsets into the message, no strings).</summary>
internal ref partial struct MessageWalker
{
    private readonly long OffsetOf(ReadOnlySpan<byte> inner) =>
        System.Runtime.CompilerServices.Unsafe.ByteOffset(
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(_xml),
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(inner));

    private bool DeclareNamespaces(int at)
    {
        if (_tokens.AttributeCount == 0) return true;
        var i = _tokens.AttributesStart;
        var seen = 0;
        while (_tokens.NextAttribute(ref i, out var nameStart, out var nameLength, out var valueStart, out var valueEnd))
        {
            var name = _xml.Slice(nameStart, nameLength);
            // Duplicate attribute names (compared as written; prefixes bound to one URI twice are not detected).
            var j = _tokens.AttributesStart;
            for (var k = 0; k < seen; k++)
            {
                _tokens.NextAttribute(ref j, out var otherStart, out var otherLength, out _, out _);
                if (name.SequenceEqual(_xml.Slice(otherStart, otherLength)))
                {
                    return Fail(CheckFailure.Syntax, CheckRule.DuplicateAttribute, at);
                }
            }
            seen++;
            var isDefault = name.SequenceEqual("xmlns"u8);
            if (!isDefault && !name.StartsWith("xmlns:"u8)) continue;
            var value = _xml[valueStart..valueEnd];
            // Namespace names written with references are not resolved; no SPI message needs them.
            if (value.IndexOf((byte)'&') >= 0) return Fail(CheckFailure.Envelope, CheckRule.ElementNamespace, at);
            if (!isDefault && value.IsEmpty) return Fail(CheckFailure.Syntax, CheckRule.UnboundPrefix, at);
            if (_bindingCount >= NamespaceBindings.MaxBindings) return Fail(CheckFailure.Limit, CheckRule.AttributeCount, at);
            ref var binding = ref _bindings[_bindingCount++];
            binding.PrefixStart = nameStart + (isDefault ? 5 : 6);
            binding.PrefixLength = isDefault ? 0 : nameLength - 6;
            binding.UriStart = valueStart;
            binding.UriLength = valueEnd - valueStart;
        }
        return true;
    }

    private readonly bool Resolve(ReadOnlySpan<byte> prefix, bool isAttribute, out ReadOnlySpan<byte> uri)
    {
        uri = default;
        if (prefix.IsEmpty && isAttribute) return true;
        if (prefix.SequenceEqual("xml"u8))
        {
            uri = XmlNamespace;
            return true;
        }
        for (var b = _bindingCount - 1; b >= 0; b--)
        {
            ref readonly var binding = ref _bindings[b];
            if (prefix.SequenceEqual(_xml.Slice(binding.PrefixStart, binding.PrefixLength)))
            {
                uri = _xml.Slice(binding.UriStart, binding.UriLength);
                return true;
            }
        }
        return prefix.IsEmpty;
    }
}
