using Pix.Protocol.Ids;
using Pix.Protocol.Xml.Schema;

namespace Pix.Protocol.Xml;

/// <summary>
/// Walks the tokens of one message against the schema tables of its type, keeping the open elements in a fixed
/// inline stack. Stops at the first broken rule. Everything lives on the stack: no allocation per message.
/// </summary>
internal ref partial struct MessageWalker
{
    private const int MaxAttributes = 16;
    private static ReadOnlySpan<byte> XmlDsigNamespace => "http://www.w3.org/2000/09/xmldsig#"u8;
    private static ReadOnlySpan<byte> XsiNamespace => "http://www.w3.org/2001/XMLSchema-instance"u8;
    private static ReadOnlySpan<byte> XmlNamespace => "http://www.w3.org/XML/1998/namespace"u8;

    private readonly ReadOnlySpan<byte> _xml;
    private readonly CheckOptions _options;
    private readonly Span<byte> _value;
    private readonly int _start;
    private XmlTokenizer _tokens;
    private WalkFrames _frames;
    private NamespaceBindings _bindings;
    private int _depth;
    private int _bindingCount;
    private int _elements;
    private int _valueLength;
    private bool _valueOverflow;
    private int _valueRawStart;
    private int _valueRawEnd;
    private bool _sawRoot;
    private int _nsStart;
    private int _nsLength;
    private long _nbOfTxs;
    private int _transactions;
    private int _adjustmentReasons;

    // Header as read so far.
    public MessageType Type;
    public Range TypeAndVersion;
    public Ispb From;
    public Ispb To;
    public bool HasFrom;
    public bool HasTo;
    public Range BizMsgIdr;
    public bool HasBizMsgIdr;
    public Range MsgDefIdr;
    public Range CreDt;
    public bool HasSignature;

    // Failure.
    public CheckFailure Failure;
    public CheckRule Rule;
    public int FailureOffset;
    public ElementPath Location;

    public MessageWalker(ReadOnlySpan<byte> xml, in CheckOptions options, Span<byte> valueBuffer, int start)
    {
        _xml = xml;
        _options = options;
        _value = valueBuffer;
        _tokens = new XmlTokenizer(xml, start);
        _start = start;
        _nbOfTxs = -1;
    }

    public bool Run()
    {
        while (true)
        {
            var kind = _tokens.Next();
            switch (kind)
            {
                case XmlTokenKind.Error:
                    return Fail(_tokens.ErrorFailure, _tokens.ErrorRule, _tokens.TokenStart);
                case XmlTokenKind.Declaration:
                    if (_tokens.TokenStart != _start || !XmlDeclaration.IsValid(_xml[_tokens.TextStart.._tokens.TextEnd], out var charset))
                    {
                        return Fail(CheckFailure.Syntax, CheckRule.XmlDeclaration, _tokens.TokenStart);
                    }
                    if (!charset) return Fail(CheckFailure.Charset, CheckRule.DeclaredEncoding, _tokens.TokenStart);
                    break;
                case XmlTokenKind.StartElement:
                    if (_depth == 0 && _sawRoot) return Fail(CheckFailure.Syntax, CheckRule.ContentOutsideRoot, _tokens.TokenStart);
                    if (!StartElement()) return false;
                    break;
                case XmlTokenKind.EndElement:
                    if (_depth == 0) return Fail(CheckFailure.Syntax, CheckRule.MismatchedEndTag, _tokens.TokenStart);
                    ref var open = ref _frames[_depth - 1];
                    if (!_xml.Slice(_tokens.NameStart, _tokens.NameLength).SequenceEqual(_xml.Slice(open.NameStart, open.NameLength)))
                    {
                        return Fail(CheckFailure.Syntax, CheckRule.MismatchedEndTag, _tokens.TokenStart);
                    }
                    if (!EndElement()) return false;
                    break;
                case XmlTokenKind.Text:
                case XmlTokenKind.CData:
                    if (!Content(kind == XmlTokenKind.Text)) return false;
                    break;
                case XmlTokenKind.End:
                    if (_depth > 0) return Fail(CheckFailure.Syntax, CheckRule.UnclosedElement, _xml.Length);
                    if (!_sawRoot) return Fail(CheckFailure.Syntax, CheckRule.EmptyDocument, _xml.Length);
                    return true;
            }
        }
    }

    private bool StartElement()
    {
        var at = _tokens.TokenStart;
        if (++_elements > _options.MaxElements) return Fail(CheckFailure.Limit, CheckRule.ElementCount, at);
        if (_depth >= _options.MaxDepth) return Fail(CheckFailure.Limit, CheckRule.Depth, at);
        if (_tokens.AttributeCount > MaxAttributes) return Fail(CheckFailure.Limit, CheckRule.AttributeCount, at);

        var bindingMark = _bindingCount;
        if (!DeclareNamespaces(at)) return false;

        var nameStart = _tokens.NameStart;
        var nameLength = _tokens.NameLength;
        var localOffset = _tokens.NameColon + 1;
        var local = _xml.Slice(nameStart + localOffset, nameLength - localOffset);
        var prefix = _xml.Slice(nameStart, Math.Max(0, localOffset - 1));
        if (!Resolve(prefix, isAttribute: false, out var uri)) return FailAt(CheckFailure.Syntax, CheckRule.UnboundPrefix, at, local);

        var mode = FrameMode.Skip;
        ElementDecl? decl = null;
        var occurrence = 1;
        if (_depth == 0)
        {
            _sawRoot = true;
            if (!local.SequenceEqual("Envelope"u8)) return FailAt(CheckFailure.Envelope, CheckRule.Root, at, local);
            var rule = MessageCatalog.ParseNamespace(uri, out Type, out var typeAndVersion);
            if (!typeAndVersion.Equals(default(Range)))
            {
                var offset = (int)(uri.IsEmpty ? 0 : OffsetOf(uri));
                TypeAndVersion = new Range(offset + typeAndVersion.Start.Value, offset + typeAndVersion.End.Value);
            }
            if (rule != CheckRule.None)
            {
                var failure = rule == CheckRule.EnvelopeNamespace ? CheckFailure.Envelope : CheckFailure.UnknownType;
                return FailAt(failure, rule, at, local);
            }
            _nsStart = (int)OffsetOf(uri);
            _nsLength = uri.Length;
            decl = MessageCatalog.Schema(Type);
            mode = FrameMode.Complex;
        }
        else
        {
            ref var parent = ref _frames[_depth - 1];
            switch (parent.Mode)
            {
                case FrameMode.Skip:
                    break;
                case FrameMode.Signature:
                    if (parent.SawChild || !uri.SequenceEqual(XmlDsigNamespace) || !local.SequenceEqual("Signature"u8))
                    {
                        return FailAt(CheckFailure.Signature, CheckRule.SignatureElement, at, local);
                    }
                    HasSignature = true;
                    break;
                case FrameMode.Simple:
                    return FailAt(CheckFailure.Structure, CheckRule.ElementInSimpleContent, at, local);
                default:
                    if (!uri.SequenceEqual(_xml.Slice(_nsStart, _nsLength)))
                    {
                        return FailAt(CheckFailure.Envelope, CheckRule.ElementNamespace, at, local);
                    }
                    var rule = Match(ref parent, local, out decl);
                    if (rule != CheckRule.None) return FailAt(CheckFailure.Structure, rule, at, local);
                    occurrence = parent.Count;
                    mode = decl!.Children is null ? FrameMode.Simple
                        : decl.Role == FieldRole.Signature ? FrameMode.Signature
                        : decl.Role == FieldRole.AnyContent ? FrameMode.Skip
                        : FrameMode.Complex;
                    break;
            }
            parent.SawChild = true;
        }

        ref var frame = ref _frames[_depth];
        frame = default;
        frame.Decl = decl;
        frame.Mode = mode;
        frame.NameStart = nameStart;
        frame.NameLength = nameLength;
        frame.LocalOffset = localOffset;
        frame.Occurrence = occurrence;
        frame.BindingMark = bindingMark;
        _depth++;

        if (!CheckAttributes(decl, mode, at)) return false;
        if (mode == FrameMode.Simple)
        {
            _valueLength = 0;
            _valueOverflow = false;
            _valueRawStart = _valueRawEnd = _tokens.Position;
        }
        if (decl is not null)
        {
            if (decl.Role == FieldRole.Transaction) _transactions++;
            else if (decl.Role == FieldRole.AdjustmentSet) _adjustmentReasons = 0;
        }
        return !_tokens.SelfClosing || EndElement();
    }

    /// <summary>Advances the parent's position in its sequence to the declaration named <paramref name="local"/>.</summary>
    private static CheckRule Match(ref WalkFrame parent, ReadOnlySpan<byte> local, out ElementDecl? decl)
    {
        var children = parent.Decl!.Children!;
        while (parent.Child < children.Length)
        {
            var candidate = children[parent.Child];
            if (local.SequenceEqual(candidate.Name))
            {
                if (parent.Count < candidate.Max)
                {
                    parent.Count++;
                    decl = candidate;
                    return CheckRule.None;
                }
            }
            else if (parent.Count < candidate.Min)
            {
                decl = null;
                return CheckRule.UnexpectedElement;
            }
            parent.Child++;
            parent.Count = 0;
        }
        decl = null;
        // Name seen earlier in this sequence: a repeat (or out-of-order element) the schema does not allow.
        foreach (var child in children)
        {
            if (local.SequenceEqual(child.Name)) return CheckRule.RepeatedElement;
        }
        return CheckRule.UnexpectedElement;
    }

    private bool EndElement()
    {
        ref var frame = ref _frames[_depth - 1];
        var at = _tokens.TokenStart;
        var decl = frame.Decl;
        switch (frame.Mode)
        {
            case FrameMode.Complex:
            {
                var children = decl!.Children!;
                for (var c = frame.Child; c < children.Length; c++)
                {
                    var needed = c == frame.Child ? children[c].Min - frame.Count : children[c].Min;
                    if (needed > 0) return FailAt(CheckFailure.Structure, CheckRule.MissingElement, at, children[c].Name);
                }
                if (_options.CrossFieldRules && _nbOfTxs >= 0 && children.Length > 0 && children[^1].Role == FieldRole.Transaction &&
                    _nbOfTxs != _transactions)
                {
                    return FailAt(CheckFailure.CrossField, CheckRule.NbOfTxs, at, "GrpHdr/NbOfTxs"u8);
                }
                break;
            }
            case FrameMode.Simple:
                if (!EndValue(decl!, at)) return false;
                break;
            case FrameMode.Signature:
                if (!frame.SawChild && _options.RequireSignature)
                {
                    return Fail(CheckFailure.Signature, CheckRule.SignatureMissing, at);
                }
                break;
        }
        _bindingCount = frame.BindingMark;
        _depth--;
        return true;
    }

    private bool Fail(CheckFailure failure, CheckRule rule, int offset)
    {
        Failure = failure;
        Rule = rule;
        FailureOffset = offset;
        Location = default;
        AppendPath(_depth);
        return false;
    }

    /// <summary>Fails with the path of the open elements plus <paramref name="name"/> (the element at fault).</summary>
    private bool FailAt(CheckFailure failure, CheckRule rule, int offset, ReadOnlySpan<byte> name)
    {
        Fail(failure, rule, offset);
        if (!name.IsEmpty)
        {
            Location.Append("/"u8);
            Location.Append(name);
        }
        return false;
    }

    private void AppendPath(int depth)
    {
        for (var d = 0; d < depth; d++)
        {
            ref readonly var frame = ref _frames[d];
            Location.Append("/"u8);
            Location.Append(_xml.Slice(frame.NameStart + frame.LocalOffset, frame.NameLength - frame.LocalOffset));
            if (frame.Decl is { Max: > 1 }) Location.AppendIndex(frame.Occurrence);
        }
    }
}
