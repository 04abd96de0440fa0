using System.Runtime.CompilerServices;
using Pix.Protocol.Xml;

namespace Pix.Protocol.Signatures;

/// <summary>
/// Exclusive XML Canonicalization 1.0 without comments (http://www.w3.org/2001/10/xml-exc-c14n#), computed on the
/// message bytes as the tokenizer walks them and written into a <see cref="DigestSink"/>: no DOM, no string.
/// Two node-sets are supported, the ones the Pix profile signs: one element's subtree (a reference by Id, the
/// reference without URI, SignedInfo), and the whole document minus one element (<c>URI=""</c> with the
/// enveloped-signature transform); the second can canonicalize one of its elements on its own at the same time, into
/// a second sink, so the message is walked once for both. Comments are left out, processing instructions kept, CDATA
/// written as text, empty elements as start and end tag, attributes and namespace declarations sorted, and each
/// namespace declared on the output elements that visibly use it (see <see cref="CanonicalStartTag"/>).
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
    /// <summary>The element also canonicalized on its own (<see cref="CanonicalSource.ImportedElement"/>) into the
    /// second sink; -1 for none.</summary>
    private readonly int _alsoStart;
    /// <summary>An Id no element may carry (raw value; empty: not checked).</summary>
    private readonly ReadOnlySpan<byte> _uniqueId;
    private XmlTokenizer _tokens;
    private NamespaceScope _scope;
    private RenderedNamespaces _rendered;
    private RenderedNamespaces _alsoRendered;
    private CanonicalStartTag _tag;
    private Frames _frames;
    private int _depth;
    /// <summary>The depth of the element also canonicalized on its own while inside it, else -1.</summary>
    private int _alsoDepth;
    private int _alsoOutsideBindings;
    private bool _alsoSeen;
    private bool _idTaken;

    private ExclusiveCanonicalizer(ReadOnlySpan<byte> xml, int start, scoped in NamespaceScope inherited, CanonicalSource source,
        int skipStart, int skipEnd, int alsoStart, ReadOnlySpan<byte> uniqueId)
    {
        _xml = xml;
        _reparse = source == CanonicalSource.Reparsed;
        _outsideBindings = source == CanonicalSource.ImportedElement ? inherited.Count : 0;
        _propagatedXmlAttributes = source == CanonicalSource.Reparsed ? inherited.XmlAttributeCount : 0;
        _skipStart = skipStart;
        _skipEnd = skipEnd;
        _alsoStart = alsoStart;
        _alsoDepth = -1;
        _uniqueId = uniqueId;
        _tokens = new XmlTokenizer(xml, start, reportProcessingInstructions: true);
        _scope = inherited;
    }

    /// <summary>The subtree of the element whose start tag begins at <paramref name="start"/>, with the namespace
    /// declarations of its ancestors (<paramref name="inherited"/>) in scope.</summary>
    public static bool Element(ReadOnlySpan<byte> xml, int start, in NamespaceScope inherited, CanonicalSource source, ref DigestSink sink)
    {
        var canonicalizer = new ExclusiveCanonicalizer(xml, start, inherited, source, -1, -1, -1, default);
        var none = default(DigestSink);
        return canonicalizer.Run(ref sink, ref none, elementOnly: true);
    }

    /// <summary>The document from <paramref name="start"/> (after a BOM) without the element whose start tag begins at
    /// <paramref name="skipStart"/> and whose end tag ends at <paramref name="skipEnd"/>, as SignedXml reads it
    /// (<see cref="CanonicalSource.Reparsed"/>).</summary>
    public static bool DocumentWithout(ReadOnlySpan<byte> xml, int start, int skipStart, int skipEnd, ref DigestSink sink)
    {
        var none = default(DigestSink);
        return DocumentWithout(xml, start, skipStart, skipEnd, -1, default, ref sink, ref none, out _);
    }

    /// <summary>As above, and at the same time the element whose start tag begins at <paramref name="alsoStart"/> on
    /// its own (<see cref="CanonicalSource.ImportedElement"/>) into <paramref name="also"/>. <paramref name="idTaken"/>:
    /// an element walked carries an Id attribute equal to <paramref name="uniqueId"/>.</summary>
    public static bool DocumentWithout(ReadOnlySpan<byte> xml, int start, int skipStart, int skipEnd, int alsoStart, ReadOnlySpan<byte> uniqueId,
        ref DigestSink sink, ref DigestSink also, out bool idTaken)
    {
        var canonicalizer = new ExclusiveCanonicalizer(xml, start, default, CanonicalSource.Reparsed, skipStart, skipEnd, alsoStart, uniqueId);
        var ok = canonicalizer.Run(ref sink, ref also, elementOnly: false);
        idTaken = canonicalizer._idTaken;
        return ok && (alsoStart < 0 || canonicalizer._alsoSeen);
    }

    private bool Run(ref DigestSink sink, ref DigestSink also, bool elementOnly)
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
                    if (!StartElement(ref sink, ref also)) return false;
                    if (_tokens.SelfClosing) EndElement(ref sink, ref also);
                    if (elementOnly && _depth == 0) return true;
                    break;
                case XmlTokenKind.EndElement:
                    if (_depth == 0) return false;
                    ref readonly var open = ref _frames[_depth - 1];
                    if (!_xml.Slice(_tokens.NameStart, _tokens.NameLength).SequenceEqual(_xml.Slice(open.NameStart, open.NameLength))) return false;
                    EndElement(ref sink, ref also);
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
                    if (_alsoDepth >= 0) CanonicalText.WriteText(ref also, text, reparse: false);
                    break;
                case XmlTokenKind.CData:
                    if (_depth == 0) return false;
                    CanonicalText.WriteCData(ref sink, _xml[_tokens.TextStart.._tokens.TextEnd]);
                    if (_alsoDepth >= 0) CanonicalText.WriteCData(ref also, _xml[_tokens.TextStart.._tokens.TextEnd]);
                    break;
                case XmlTokenKind.ProcessingInstruction:
                    var target = _xml.Slice(_tokens.NameStart, _tokens.NameLength);
                    var data = _xml[_tokens.TextStart.._tokens.TextEnd];
                    // Outside the root element C14N separates each processing instruction from it by a line feed.
                    if (_depth == 0 && sawRoot) sink.Write((byte)'\n');
                    CanonicalText.WriteProcessingInstruction(ref sink, target, data);
                    if (_depth == 0 && !sawRoot) sink.Write((byte)'\n');
                    if (_alsoDepth >= 0) CanonicalText.WriteProcessingInstruction(ref also, target, data);
                    break;
                case XmlTokenKind.Declaration:
                    if (sawRoot) return false;
                    break;
                case XmlTokenKind.End:
                    return !elementOnly && sawRoot && _depth == 0;
                default:
                    return false;
            }
            if (sink.Overflowed || also.Overflowed) return false;
        }
    }

    private bool StartElement(ref DigestSink sink, ref DigestSink also)
    {
        if (_depth == MaxDepth) return false;
        ref var frame = ref _frames[_depth];
        frame.NameStart = _tokens.NameStart;
        frame.NameLength = _tokens.NameLength;
        frame.BindingMark = _scope.Mark;
        frame.RenderedMark = _rendered.Count;
        frame.AlsoRenderedMark = _alsoRendered.Count;
        var outsideBindings = _scope.Count;
        if (!_scope.DeclareAll(_xml, ref _tokens)) return false;
        if (!_uniqueId.IsEmpty && _tokens.AttributeCount > 0 && CarriesUniqueId()) _idTaken = true;
        var name = _xml.Slice(frame.NameStart, frame.NameLength);
        var propagated = _depth == 0 ? _propagatedXmlAttributes : 0;
        if (!_tag.Read(_xml, ref _tokens, _scope, ref _rendered, _outsideBindings, propagated)) return false;
        if (!_tag.Write(_xml, name, ref sink, _reparse)) return false;
        if (_alsoDepth < 0 && _tokens.TokenStart == _alsoStart)
        {
            _alsoDepth = _depth;
            _alsoOutsideBindings = outsideBindings;
            _alsoSeen = true;
        }
        if (_alsoDepth >= 0)
        {
            if (!_tag.Read(_xml, ref _tokens, _scope, ref _alsoRendered, _alsoOutsideBindings, propagatedXmlAttributes: 0)) return false;
            if (!_tag.Write(_xml, name, ref also, reparse: false)) return false;
        }
        _depth++;
        return true;
    }

    private void EndElement(ref DigestSink sink, ref DigestSink also)
    {
        ref readonly var frame = ref _frames[--_depth];
        var name = _xml.Slice(frame.NameStart, frame.NameLength);
        WriteEndTag(ref sink, name);
        if (_alsoDepth >= 0)
        {
            WriteEndTag(ref also, name);
            _alsoRendered.Restore(frame.AlsoRenderedMark);
            if (_depth == _alsoDepth) _alsoDepth = -1;
        }
        _scope.Restore(frame.BindingMark);
        _rendered.Restore(frame.RenderedMark);
    }

    private static void WriteEndTag(ref DigestSink sink, ReadOnlySpan<byte> name)
    {
        sink.Write("</"u8);
        sink.Write(name);
        sink.Write((byte)'>');
    }

    /// <summary>The current start tag has an (unprefixed) Id attribute equal to the unique one.</summary>
    private readonly bool CarriesUniqueId()
    {
        var tokens = _tokens;
        var i = tokens.AttributesStart;
        while (tokens.NextAttribute(ref i, out var nameStart, out var nameLength, out var valueStart, out var valueEnd))
        {
            if (_xml.Slice(nameStart, nameLength).SequenceEqual("Id"u8) && SignatureProfile.AttributeEquals(_xml[valueStart..valueEnd], _uniqueId)) return true;
        }
        return false;
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
        public int AlsoRenderedMark;
    }

    [InlineArray(MaxDepth)]
    private struct Frames
    {
        private Frame _first;
    }
}
