using System.Runtime.CompilerServices;
using Pix.Protocol.Xml;

namespace Pix.Protocol.Signatures;

/// <summary>
/// One start tag as exclusive C14N writes it (Exclusive XML Canonicalization 1.0 §3; XML-C14N 1.0 §2.3): the
/// namespace declarations it must carry (the prefixes it visibly uses whose URI differs from what an output ancestor
/// rendered), sorted by prefix with the default first, then its attributes sorted by namespace URI and local name,
/// each as <c> name="value"</c> with the value normalized and escaped.
/// </summary>
internal struct CanonicalStartTag
{
    public const int MaxAttributes = 32;

    private AttributeList _attributes;
    private DeclarationList _declarations;
    private int _attributeCount;
    private int _declarationCount;

    /// <summary>Reads the current start tag's attributes (its namespace declarations are already in
    /// <paramref name="scope"/>), decides which declarations to render, and records them in <paramref name="rendered"/>.
    /// A prefix only attributes use, bound by one of the first <paramref name="outsideBindings"/> bindings, is not
    /// rendered (<see cref="CanonicalSource.ImportedElement"/>). The first <paramref name="propagatedXmlAttributes"/>
    /// <c>xml:*</c> attributes of the scope (the ancestors') are added, the nearest first, unless the element has its
    /// own: SignedXml copies them onto an element it canonicalizes on its own (Utils.GetPropagatedAttributes), so
    /// <c>xml:lang</c> on a ds:Signature shows in its SignedInfo's canonical form, unlike what exclusive C14N says.</summary>
    public bool Read(ReadOnlySpan<byte> xml, ref XmlTokenizer tokens, in NamespaceScope scope, ref RenderedNamespaces rendered,
        int outsideBindings, int propagatedXmlAttributes)
    {
        _attributeCount = 0;
        _declarationCount = 0;
        if (!Utilize(xml, tokens.NameStart, Math.Max(0, tokens.NameColon), scope, rendered, outsideBindings: 0)) return false;

        var i = tokens.AttributesStart;
        while (tokens.NextAttribute(ref i, out var nameStart, out var nameLength, out var valueStart, out var valueEnd))
        {
            var name = xml.Slice(nameStart, nameLength);
            if (name.SequenceEqual("xmlns"u8) || name.StartsWith("xmlns:"u8)) continue;
            if (_attributeCount == MaxAttributes) return false;
            ref var attribute = ref _attributes[_attributeCount++];
            attribute.NameStart = nameStart;
            attribute.NameLength = nameLength;
            attribute.ValueStart = valueStart;
            attribute.ValueEnd = valueEnd;
            attribute.UriStart = attribute.UriLength = 0;
            attribute.InXmlNamespace = false;
            attribute.Propagated = false;
            var colon = name.IndexOf((byte)':');
            attribute.LocalOffset = colon + 1;
            if (colon < 0) continue;
            var prefix = name[..colon];
            if (prefix.SequenceEqual("xml"u8))
            {
                attribute.InXmlNamespace = true;
                continue;
            }
            if (!scope.TryResolve(xml, prefix, out attribute.UriStart, out attribute.UriLength)) return false;
            if (!Utilize(xml, nameStart, colon, scope, rendered, outsideBindings)) return false;
        }
        for (var p = propagatedXmlAttributes - 1; p >= 0; p--)
        {
            scope.XmlAttribute(p, out var nameStart, out var nameLength, out var valueStart, out var valueEnd);
            if (HasAttribute(xml, xml.Slice(nameStart, nameLength))) continue;
            if (_attributeCount == MaxAttributes) return false;
            _attributes[_attributeCount++] = new Attribute
            {
                NameStart = nameStart, NameLength = nameLength, LocalOffset = 4, ValueStart = valueStart, ValueEnd = valueEnd,
                InXmlNamespace = true, Propagated = true,
            };
        }

        SortDeclarations(xml);
        if (!SortAttributes(xml)) return false;
        for (var d = 0; d < _declarationCount; d++)
        {
            ref readonly var declaration = ref _declarations[d];
            if (!rendered.Push(declaration.PrefixStart, declaration.PrefixLength, declaration.UriStart, declaration.UriLength)) return false;
        }
        return true;
    }

    public readonly bool Write(ReadOnlySpan<byte> xml, ReadOnlySpan<byte> qualifiedName, ref DigestSink sink, bool reparse)
    {
        sink.Write((byte)'<');
        sink.Write(qualifiedName);
        for (var d = 0; d < _declarationCount; d++)
        {
            ref readonly var declaration = ref _declarations[d];
            sink.Write(" xmlns"u8);
            if (declaration.PrefixLength > 0)
            {
                sink.Write((byte)':');
                sink.Write(xml.Slice(declaration.PrefixStart, declaration.PrefixLength));
            }
            sink.Write("=\""u8);
            CanonicalText.WriteAttributeValue(ref sink, xml.Slice(declaration.UriStart, declaration.UriLength), reparse);
            sink.Write((byte)'"');
        }
        for (var a = 0; a < _attributeCount; a++)
        {
            ref readonly var attribute = ref _attributes[a];
            sink.Write((byte)' ');
            sink.Write(xml.Slice(attribute.NameStart, attribute.NameLength));
            sink.Write("=\""u8);
            // A propagated attribute is copied after the reparse, with its value as first read.
            if (!CanonicalText.WriteAttributeValue(ref sink, xml[attribute.ValueStart..attribute.ValueEnd], reparse && !attribute.Propagated)) return false;
            sink.Write((byte)'"');
        }
        sink.Write((byte)'>');
        return true;
    }

    /// <summary>The prefix at <paramref name="prefixStart"/> (length 0: the default namespace) is visibly used here:
    /// render its in-scope URI unless the nearest output ancestor rendered the same one. An empty default namespace
    /// is rendered (<c>xmlns=""</c>) only to undo a non-empty one an output ancestor rendered.</summary>
    private bool Utilize(ReadOnlySpan<byte> xml, int prefixStart, int prefixLength, in NamespaceScope scope, in RenderedNamespaces rendered,
        int outsideBindings)
    {
        var prefix = xml.Slice(prefixStart, prefixLength);
        if (prefix.SequenceEqual("xml"u8)) return true;
        for (var d = 0; d < _declarationCount; d++)
        {
            if (prefix.SequenceEqual(xml.Slice(_declarations[d].PrefixStart, _declarations[d].PrefixLength))) return true;
        }
        if (!scope.TryResolve(xml, prefix, out var uriStart, out var uriLength, out var binding)) return false;
        if (binding < outsideBindings) return true;
        var uri = xml.Slice(uriStart, uriLength);
        var render = rendered.TryFind(xml, prefix, out var renderedUri) ? !uri.SequenceEqual(renderedUri) : !uri.IsEmpty || !prefix.IsEmpty;
        if (!render) return true;
        ref var declaration = ref _declarations[_declarationCount++];
        declaration.PrefixStart = prefixStart;
        declaration.PrefixLength = prefixLength;
        declaration.UriStart = uriStart;
        declaration.UriLength = uriLength;
        return true;
    }

    private readonly bool HasAttribute(ReadOnlySpan<byte> xml, ReadOnlySpan<byte> qualifiedName)
    {
        for (var a = 0; a < _attributeCount; a++)
        {
            if (qualifiedName.SequenceEqual(xml.Slice(_attributes[a].NameStart, _attributes[a].NameLength))) return true;
        }
        return false;
    }

    private void SortDeclarations(ReadOnlySpan<byte> xml)
    {
        for (var i = 1; i < _declarationCount; i++)
        {
            var item = _declarations[i];
            var key = xml.Slice(item.PrefixStart, item.PrefixLength);
            var j = i - 1;
            while (j >= 0 && xml.Slice(_declarations[j].PrefixStart, _declarations[j].PrefixLength).SequenceCompareTo(key) > 0)
            {
                _declarations[j + 1] = _declarations[j];
                j--;
            }
            _declarations[j + 1] = item;
        }
    }

    /// <summary>Sorts by (namespace URI, local name); false when two attributes share both (not namespace-well-formed).</summary>
    private bool SortAttributes(ReadOnlySpan<byte> xml)
    {
        for (var i = 1; i < _attributeCount; i++)
        {
            var item = _attributes[i];
            var j = i - 1;
            while (j >= 0 && Compare(xml, _attributes[j], item) > 0)
            {
                _attributes[j + 1] = _attributes[j];
                j--;
            }
            _attributes[j + 1] = item;
        }
        for (var i = 1; i < _attributeCount; i++)
        {
            if (Compare(xml, _attributes[i - 1], _attributes[i]) == 0) return false;
        }
        return true;
    }

    private static int Compare(ReadOnlySpan<byte> xml, in Attribute a, in Attribute b)
    {
        var byUri = a.Uri(xml).SequenceCompareTo(b.Uri(xml));
        return byUri != 0 ? byUri : a.Local(xml).SequenceCompareTo(b.Local(xml));
    }

    private struct Attribute
    {
        public int NameStart;
        public int NameLength;
        public int LocalOffset;
        public int ValueStart;
        public int ValueEnd;
        public int UriStart;
        public int UriLength;
        public bool InXmlNamespace;
        public bool Propagated;

        public readonly ReadOnlySpan<byte> Uri(ReadOnlySpan<byte> xml) =>
            InXmlNamespace ? NamespaceScope.XmlNamespace : xml.Slice(UriStart, UriLength);

        public readonly ReadOnlySpan<byte> Local(ReadOnlySpan<byte> xml) =>
            xml.Slice(NameStart + LocalOffset, NameLength - LocalOffset);
    }

    private struct Declaration
    {
        public int PrefixStart;
        public int PrefixLength;
        public int UriStart;
        public int UriLength;
    }

    [InlineArray(MaxAttributes)]
    private struct AttributeList
    {
        private Attribute _first;
    }

    [InlineArray(MaxAttributes + 1)]
    private struct DeclarationList
    {
        private Declaration _first;
    }
}
