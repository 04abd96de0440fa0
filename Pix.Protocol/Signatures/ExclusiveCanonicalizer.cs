using System.Runtime.CompilerServices;
using Pix.Protocol.Xml;

namespace Pix.Protocol.Signatures;

/// <summary>
/// Exclusive XML Canonicalization 1.0 without comments (http://www.w3.org/2001/10/xml-exc-c14n#), computed on the
/// message bytes as the tokenizer walks them and written into a <see cref="DigestSink"/>: no DOM, no string.
/// Two node-sets are supported, the ones the Pix profile signs: one element's subtree (a reference by Id, the
/// reference without URI, SignedInfo), and the whole document minus one element (<c>URI=""</c> with the
/// enveloped-signature transform). Comments are left out, processing instructions kept, CDATA written as text, empty
/// elements as start and end tag, attributes and namespace declarations sorted, and each namespace declared on the
/// output elements that visibly use it (see <see cref="CanonicalStartTag"/>).
/// </summary>
internal ref struct ExclusiveCanonicalizer
{
    public const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _xml;
    private readonly bool _reparse;
    /// <summary>Bindings below this index were inherited from outside an imported element (see <see cref="CanonicalSource"/>).</summary>
    private readonly int _outsideBindings;
    /// <summary>How many inherited <c>xml:*</c> attributes SignedXml copies onto the element it canonicalizes alone.</summary>
    private readonly int _propagatedXmlAttributes;
    private readonly int _skipStart;
    private readonly int _skipEnd;
    private XmlTokenizer _tokens;
    private NamespaceScope _scope;
    private RenderedNamespaces _rendered;
    private CanonicalStartTag _tag;
    private Frames _frames;
    private int _depth;

    private ExclusiveCanonicalizer(ReadOnlySpan<byte> xml, int start, scoped in NamespaceScope inherited, CanonicalSource source, int skipStart, int skipEnd)
    {
        _xml = xml;
        _reparse = source == CanonicalSource.Reparsed;
        _outsideBindings = source == CanonicalSource.ImportedElement ? inherited.Count : 0;
        _propagatedXmlAttributes = source == CanonicalSource.Reparsed ? inherited.XmlAttributeCount : 0;
        _skipStart = skipStart;
        _skipEnd = skipEnd;
        _tokens = new XmlTokenizer(xml, start, reportProcessingInstructions: true);
        _scope = inherited;
    }

    /// <summary>The subtree of the element whose start tag begins at <paramref name="start"/>, with the namespace
    /// declarations of its ancestors (<paramref name="inherited"/>) in scope.</summary>
    public static bool Element(ReadOnlySpan<byte> xml, int start, in NamespaceScope inherited, CanonicalSource source, ref DigestSink sink)
    {
        var canonicalizer = new ExclusiveCanonicalizer(xml, start, inherited, source, skipStart: -1, skipEnd: -1);
        return canonicalizer.Run(ref sink, elementOnly: true);
    }

    /// <summary>The document from <paramref name="start"/> (after a BOM) without the element whose start tag begins at
    /// <paramref name="skipStart"/> and whose end tag ends at <paramref name="skipEnd"/>, as SignedXml reads it
    /// (<see cref="CanonicalSource.Reparsed"/>).</summary>
    public static bool DocumentWithout(ReadOnlySpan<byte> xml, int start, int skipStart, int skipEnd, ref DigestSink sink)
    {
        var canonicalizer = new ExclusiveCanonicalizer(xml, start, default, CanonicalSource.Reparsed, skipStart, skipEnd);
        return canonicalizer.Run(ref sink, elementOnly: false);
    }

    private bool Run(ref DigestSink sink, bool elementOnly)
    {
        var sawRoot = false;
        while (true)
        {
            switch (_tokens.Next())
            {
                case XmlTokenKind.StartElement:
                    if (_tokens.TokenStart == _skipStart)
                    {
                        _tokens = new XmlTokenizer(_xml, _skipEnd, reportProcessingInstructions: true);
                        break;
                    }
                    if (_depth == 0)
                    {
                        if (sawRoot) return false;
                        sawRoot = true;
                    }
                    if (!StartElement(ref sink)) return false;
                    if (_tokens.SelfClosing) EndElement(ref sink);
                    if (elementOnly && _depth == 0) return true;
                    break;
                case XmlTokenKind.EndElement:
                    if (_depth == 0) return false;
                    ref readonly var open = ref _frames[_depth - 1];
                    if (!_xml.Slice(_tokens.NameStart, _tokens.NameLength).SequenceEqual(_xml.Slice(open.NameStart, open.NameLength))) return false;
                    EndElement(ref sink);
                    if (elementOnly && _depth == 0) return true;
                    break;
                case XmlTokenKind.Text:
                    var text = _xml[_tokens.TextStart.._tokens.TextEnd];
                    if (_depth == 0)
                    {
                        if (!IsWhitespace(text)) return false;
                        break;
                    }
                    if (!CanonicalText.WriteText(ref sink, text, _reparse)) return false;
                    break;
                case XmlTokenKind.CData:
                    if (_depth == 0) return false;
                    CanonicalText.WriteCData(ref sink, _xml[_tokens.TextStart.._tokens.TextEnd]);
                    break;
                case XmlTokenKind.ProcessingInstruction:
                    // Outside the root element C14N separates each processing instruction from it by a line feed.
                    if (_depth == 0 && sawRoot) sink.Write((byte)'\n');
                    CanonicalText.WriteProcessingInstruction(ref sink, _xml.Slice(_tokens.NameStart, _tokens.NameLength), _xml[_tokens.TextStart.._tokens.TextEnd]);
                    if (_depth == 0 && !sawRoot) sink.Write((byte)'\n');
                    break;
                case XmlTokenKind.Declaration:
                    if (sawRoot) return false;
                    break;
                case XmlTokenKind.End:
                    return !elementOnly && sawRoot && _depth == 0;
                default:
                    return false;
            }
            if (sink.Overflowed) return false;
        }
    }

    private bool StartElement(ref DigestSink sink)
    {
        if (_depth == MaxDepth) return false;
        ref var frame = ref _frames[_depth];
        frame.NameStart = _tokens.NameStart;
        frame.NameLength = _tokens.NameLength;
        frame.BindingMark = _scope.Mark;
        frame.RenderedMark = _rendered.Count;
        if (!_scope.DeclareAll(_xml, ref _tokens)) return false;
        var propagated = _depth == 0 ? _propagatedXmlAttributes : 0;
        if (!_tag.Read(_xml, ref _tokens, _scope, ref _rendered, _outsideBindings, propagated)) return false;
        if (!_tag.Write(_xml, _xml.Slice(frame.NameStart, frame.NameLength), ref sink, _reparse)) return false;
        _depth++;
        return true;
    }

    private void EndElement(ref DigestSink sink)
    {
        ref readonly var frame = ref _frames[--_depth];
        sink.Write("</"u8);
        sink.Write(_xml.Slice(frame.NameStart, frame.NameLength));
        sink.Write((byte)'>');
        _scope.Restore(frame.BindingMark);
        _rendered.Restore(frame.RenderedMark);
    }

    private static bool IsWhitespace(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (!XmlChars.IsWhitespace(b)) return false;
        }
        return true;
    }

    private struct Frame
    {
        public int NameStart;
        public int NameLength;
        public int BindingMark;
        public int RenderedMark;
    }

    [InlineArray(MaxDepth)]
    private struct Frames
    {
        private Frame _first;
    }
}
