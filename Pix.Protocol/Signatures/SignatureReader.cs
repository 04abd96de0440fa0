using System.Runtime.CompilerServices;
using Pix.Protocol.Xml;

namespace Pix.Protocol.Signatures;

/// <summary>
/// Walks a message once and records where the signature's parts are (<see cref="SignatureLayout"/>), checking the
/// shape the Pix profile allows: <c>/Envelope/AppHdr/Sgntr/ds:Signature</c> holding SignedInfo
/// (CanonicalizationMethod, SignatureMethod, Reference+), SignatureValue and KeyInfo, in that order, with no Object;
/// algorithms without parameters; no text where XMLDSig has only elements. Algorithms and references are judged
/// afterwards (<see cref="SignatureProfile"/>). It stops once it has the signature and the Document's start tag: the
/// pass that canonicalizes the rest walks it anyway (and checks it). Nothing is allocated.
/// </summary>
internal ref struct SignatureReader
{
    private const int MaxDepth = ExclusiveCanonicalizer.MaxDepth;
    private static ReadOnlySpan<byte> DsNamespace => "http://www.w3.org/2000/09/xmldsig#"u8;

    private readonly ReadOnlySpan<byte> _xml;
    private XmlTokenizer _tokens;
    private NamespaceScope _scope;
    private Frames _frames;
    private int _depth;
    private bool _sawRoot;

    public CheckRule Rule;
    public int FailureOffset;
    public ElementPath Location;

    public SignatureReader(ReadOnlySpan<byte> xml, int start)
    {
        _xml = xml;
        _tokens = new XmlTokenizer(xml, start);
    }

    public bool Read(ref SignatureLayout layout)
    {
        while (true)
        {
            var kind = _tokens.Next();
            switch (kind)
            {
                case XmlTokenKind.StartElement:
                    if (!StartElement(ref layout)) return false;
                    if (_tokens.SelfClosing && !EndElement(ref layout, selfClosing: true)) return false;
                    if (layout.HasDocument && layout.SignatureEnd > 0) return true;
                    break;
                case XmlTokenKind.EndElement:
                    if (_depth == 0) return Fail(CheckRule.SignatureMalformed, _tokens.TokenStart);
                    ref readonly var open = ref _frames[_depth - 1];
                    if (!_xml.Slice(_tokens.NameStart, _tokens.NameLength).SequenceEqual(_xml.Slice(open.NameStart, open.NameLength)))
                    {
                        return Fail(CheckRule.SignatureMalformed, _tokens.TokenStart);
                    }
                    if (!EndElement(ref layout, selfClosing: false)) return false;
                    if (layout.HasDocument && layout.SignatureEnd > 0) return true;
                    break;
                case XmlTokenKind.Text:
                case XmlTokenKind.CData:
                    if (!Content(kind == XmlTokenKind.Text)) return false;
                    break;
                case XmlTokenKind.Declaration:
                    break;
                case XmlTokenKind.End:
                    return _depth == 0 && _sawRoot || Fail(CheckRule.SignatureMalformed, _xml.Length);
                default:
                    return Fail(CheckRule.SignatureMalformed, _tokens.TokenStart);
            }
        }
    }

    private bool StartElement(ref SignatureLayout layout)
    {
        var at = _tokens.TokenStart;
        var nameStart = _tokens.NameStart;
        var localOffset = _tokens.NameColon + 1;
        var local = _xml.Slice(nameStart + localOffset, _tokens.NameLength - localOffset);
        if (_depth == MaxDepth) return Fail(CheckRule.SignatureMalformed, at, local);
        if (_depth == 0 && _sawRoot) return Fail(CheckRule.SignatureMalformed, at, local);
        var bindingMark = _scope.Mark;
        if (!_scope.DeclareAll(_xml, ref _tokens)) return Fail(CheckRule.SignatureMalformed, at, local);
        var prefix = _xml.Slice(nameStart, Math.Max(0, localOffset - 1));
        if (!_scope.TryResolve(_xml, prefix, out var uriStart, out var uriLength)) return Fail(CheckRule.SignatureMalformed, at, local);
        var isDs = _xml.Slice(uriStart, uriLength).SequenceEqual(DsNamespace);

        var occurrence = 0;
        var referenceIndex = 0;
        SignaturePart part;
        if (_depth == 0)
        {
            _sawRoot = true;
            if (!local.SequenceEqual("Envelope"u8)) return Fail(CheckRule.SignatureMalformed, at, local);
            part = SignaturePart.Envelope;
        }
        else
        {
            ref var parent = ref _frames[_depth - 1];
            var rule = Child(ref parent, ref layout, local, isDs, out part, out occurrence);
            if (rule != CheckRule.None) return Fail(rule, at, local);
            referenceIndex = part == SignaturePart.Reference ? occurrence : parent.Reference;
        }

        ref var frame = ref _frames[_depth];
        frame = default;
        frame.NameStart = nameStart;
        frame.NameLength = _tokens.NameLength;
        frame.LocalOffset = localOffset;
        frame.BindingMark = bindingMark;
        frame.Part = part;
        frame.Occurrence = occurrence;
        frame.Reference = referenceIndex;
        frame.ContentStart = _tokens.Position;
        _depth++;

        switch (part)
        {
            case SignaturePart.Signature:
                layout.HasSignature = true;
                layout.SignatureStart = at;
                break;
            case SignaturePart.SignedInfo:
                layout.HasSignedInfo = true;
                layout.SignedInfoStart = at;
                layout.SignedInfoScope = _scope;
                layout.SignedInfoScope.Restore(bindingMark);
                break;
            case SignaturePart.KeyInfo:
                layout.HasKeyInfo = true;
                layout.KeyInfoStart = at;
                layout.KeyInfoScope = _scope;
                layout.KeyInfoScope.Restore(bindingMark);
                break;
            case SignaturePart.Document:
                layout.HasDocument = true;
                layout.DocumentStart = at;
                layout.DocumentScope = _scope;
                layout.DocumentScope.Restore(bindingMark);
                break;
        }
        return Attributes(ref layout, part, at, local);
    }

    /// <summary>Which part a child named <paramref name="local"/> is, and whether the profile allows it there.</summary>
    private static CheckRule Child(ref Frame parent, ref SignatureLayout layout, ReadOnlySpan<byte> local, bool isDs,
        out SignaturePart part, out int occurrence)
    {
        occurrence = 0;
        part = SignaturePart.Other;
        var step = parent.Child++;
        switch (parent.Part)
        {
            case SignaturePart.Envelope:
                if (local.SequenceEqual("AppHdr"u8)) part = SignaturePart.AppHdr;
                else if (local.SequenceEqual("Document"u8))
                {
                    if (layout.HasDocument) return CheckRule.SignatureMalformed;
                    part = SignaturePart.Document;
                }
                return CheckRule.None;
            case SignaturePart.AppHdr:
                if (!local.SequenceEqual("Sgntr"u8)) return CheckRule.None;
                if (layout.HasSgntr) return CheckRule.SignatureMalformed;
                layout.HasSgntr = true;
                part = SignaturePart.Sgntr;
                return CheckRule.None;
            case SignaturePart.Sgntr:
                part = SignaturePart.Signature;
                return !layout.HasSignature && isDs && local.SequenceEqual("Signature"u8) ? CheckRule.None : CheckRule.SignatureMalformed;
            case SignaturePart.Signature:
                part = step switch
                {
                    0 when isDs && local.SequenceEqual("SignedInfo"u8) => SignaturePart.SignedInfo,
                    1 when isDs && local.SequenceEqual("SignatureValue"u8) => SignaturePart.SignatureValue,
                    2 when isDs && local.SequenceEqual("KeyInfo"u8) => SignaturePart.KeyInfo,
                    _ => SignaturePart.Other,
                };
                return part == SignaturePart.Other ? CheckRule.SignatureMalformed : CheckRule.None;
            case SignaturePart.SignedInfo:
                part = step switch
                {
                    0 when isDs && local.SequenceEqual("CanonicalizationMethod"u8) => SignaturePart.CanonicalizationMethod,
                    1 when isDs && local.SequenceEqual("SignatureMethod"u8) => SignaturePart.SignatureMethod,
                    >= 2 when isDs && local.SequenceEqual("Reference"u8) => SignaturePart.Reference,
                    _ => SignaturePart.Other,
                };
                if (part == SignaturePart.Other) return CheckRule.SignatureMalformed;
                if (part == SignaturePart.Reference)
                {
                    if (layout.ReferenceCount == SignatureLayout.MaxReferences) return CheckRule.SignatureMalformed;
                    occurrence = ++layout.ReferenceCount;
                }
                return CheckRule.None;
            case SignaturePart.Reference:
            {
                ref var reference = ref layout.References[parent.Reference - 1];
                if (isDs && local.SequenceEqual("Transforms"u8) && reference.Step == 0) part = SignaturePart.Transforms;
                else if (isDs && local.SequenceEqual("DigestMethod"u8) && reference.Step <= 1) part = SignaturePart.DigestMethod;
                else if (isDs && local.SequenceEqual("DigestValue"u8) && reference.Step == 2) part = SignaturePart.DigestValue;
                else return CheckRule.SignatureMalformed;
                reference.Step = part switch { SignaturePart.Transforms => 1, SignaturePart.DigestMethod => 2, _ => 3 };
                return CheckRule.None;
            }
            case SignaturePart.Transforms:
            {
                if (!isDs || !local.SequenceEqual("Transform"u8)) return CheckRule.SignatureMalformed;
                ref var reference = ref layout.References[parent.Reference - 1];
                if (reference.TransformCount == ReferenceLayout.MaxTransforms) return CheckRule.SignatureTransform;
                part = SignaturePart.Transform;
                occurrence = ++reference.TransformCount;
                return CheckRule.None;
            }
            case SignaturePart.CanonicalizationMethod:
            case SignaturePart.Transform:
                // Parameters such as InclusiveNamespaces or XPath are outside the profile.
                return CheckRule.SignatureTransform;
            case SignaturePart.SignatureMethod:
            case SignaturePart.DigestMethod:
                return CheckRule.SignatureAlgorithm;
            case SignaturePart.DigestValue:
            case SignaturePart.SignatureValue:
            case SignaturePart.X509IssuerName:
            case SignaturePart.X509SerialNumber:
                return CheckRule.SignatureMalformed;
            case SignaturePart.KeyInfo:
                part = isDs && local.SequenceEqual("X509Data"u8) ? SignaturePart.X509Data : SignaturePart.Ignored;
                return CheckRule.None;
            case SignaturePart.X509Data:
                if (!isDs || !local.SequenceEqual("X509IssuerSerial"u8))
                {
                    part = SignaturePart.Ignored;
                    return CheckRule.None;
                }
                part = SignaturePart.X509IssuerSerial;
                return ++layout.IssuerSerialCount == 1 ? CheckRule.None : CheckRule.SignatureMalformed;
            case SignaturePart.X509IssuerSerial:
                part = step switch
                {
                    0 when isDs && local.SequenceEqual("X509IssuerName"u8) => SignaturePart.X509IssuerName,
                    1 when isDs && local.SequenceEqual("X509SerialNumber"u8) => SignaturePart.X509SerialNumber,
                    _ => SignaturePart.Other,
                };
                return part == SignaturePart.Other ? CheckRule.SignatureMalformed : CheckRule.None;
            case SignaturePart.Ignored:
                part = SignaturePart.Ignored;
                return CheckRule.None;
            default:
                return CheckRule.None;
        }
    }

    /// <summary>Records the attributes the profile reads: Algorithm, Reference/@URI, KeyInfo/@Id, and every other Id.</summary>
    private bool Attributes(ref SignatureLayout layout, SignaturePart part, int at, ReadOnlySpan<byte> local)
    {
        var sawAlgorithm = false;
        var i = _tokens.AttributesStart;
        while (_tokens.NextAttribute(ref i, out var nameStart, out var nameLength, out var valueStart, out var valueEnd))
        {
            var name = _xml.Slice(nameStart, nameLength);
            if (name.SequenceEqual("Id"u8))
            {
                if (part == SignaturePart.KeyInfo) layout.KeyInfoId.Set(valueStart, valueEnd);
                else if (layout.IdCount == SignatureLayout.MaxIds) return Fail(CheckRule.SignatureMalformed, at, local);
                else layout.OtherIds[layout.IdCount++].Set(valueStart, valueEnd);
            }
            else if (name.SequenceEqual("Algorithm"u8))
            {
                sawAlgorithm = true;
                switch (part)
                {
                    case SignaturePart.CanonicalizationMethod:
                        layout.CanonicalizationMethod.Set(valueStart, valueEnd);
                        break;
                    case SignaturePart.SignatureMethod:
                        layout.SignatureMethod.Set(valueStart, valueEnd);
                        break;
                    case SignaturePart.DigestMethod:
                        layout.References[_frames[_depth - 1].Reference - 1].DigestMethod.Set(valueStart, valueEnd);
                        break;
                    case SignaturePart.Transform:
                        ref readonly var transform = ref _frames[_depth - 1];
                        layout.References[transform.Reference - 1].Transforms[transform.Occurrence - 1].Set(valueStart, valueEnd);
                        break;
                }
            }
            else if (name.SequenceEqual("URI"u8) && part == SignaturePart.Reference)
            {
                layout.References[_frames[_depth - 1].Reference - 1].Uri.Set(valueStart, valueEnd);
            }
        }
        var needsAlgorithm = part is SignaturePart.CanonicalizationMethod or SignaturePart.SignatureMethod or SignaturePart.DigestMethod or SignaturePart.Transform;
        return !needsAlgorithm || sawAlgorithm || Fail(CheckRule.SignatureMalformed, at);
    }

    private bool EndElement(ref SignatureLayout layout, bool selfClosing)
    {
        ref readonly var frame = ref _frames[_depth - 1];
        var at = _tokens.TokenStart;
        var complete = frame.Part switch
        {
            SignaturePart.Signature => frame.Child == 3,
            SignaturePart.SignedInfo => frame.Child >= 3,
            SignaturePart.Reference => layout.References[frame.Reference - 1].Step == 3,
            SignaturePart.Transforms => frame.Child >= 1,
            SignaturePart.X509IssuerSerial => frame.Child == 2,
            _ => true,
        };
        if (!complete) return Fail(CheckRule.SignatureMalformed, at);
        var contentEnd = selfClosing ? frame.ContentStart : at;
        switch (frame.Part)
        {
            case SignaturePart.Signature:
                layout.SignatureEnd = _tokens.Position;
                break;
            case SignaturePart.SignatureValue:
                layout.SignatureValue.Set(frame.ContentStart, contentEnd);
                break;
            case SignaturePart.DigestValue:
                layout.References[frame.Reference - 1].DigestValue.Set(frame.ContentStart, contentEnd);
                break;
            case SignaturePart.X509IssuerName:
                layout.IssuerName.Set(frame.ContentStart, contentEnd);
                break;
            case SignaturePart.X509SerialNumber:
                layout.SerialNumber.Set(frame.ContentStart, contentEnd);
                break;
        }
        _scope.Restore(frame.BindingMark);
        _depth--;
        return true;
    }

    /// <summary>Text is free outside the signature and in the four elements that hold a value; elsewhere in the
    /// signature XMLDSig allows only elements (and whitespace between them).</summary>
    private bool Content(bool isText)
    {
        if (_depth == 0)
        {
            return isText && TextDecoder.IsWhitespace(_xml[_tokens.TextStart.._tokens.TextEnd], references: false) ||
                Fail(CheckRule.SignatureMalformed, _tokens.TokenStart);
        }
        var part = _frames[_depth - 1].Part;
        var elementOnly = part is SignaturePart.Signature or SignaturePart.SignedInfo or SignaturePart.CanonicalizationMethod
            or SignaturePart.SignatureMethod or SignaturePart.Reference or SignaturePart.Transforms or SignaturePart.Transform
            or SignaturePart.DigestMethod or SignaturePart.KeyInfo or SignaturePart.X509Data or SignaturePart.X509IssuerSerial;
        if (!elementOnly || TextDecoder.IsWhitespace(_xml[_tokens.TextStart.._tokens.TextEnd], isText)) return true;
        return Fail(CheckRule.SignatureMalformed, _tokens.TokenStart);
    }

    /// <summary>Fails with the path of the open elements (Reference and Transform numbered), plus <paramref name="name"/>.</summary>
    private bool Fail(CheckRule rule, int offset, ReadOnlySpan<byte> name = default)
    {
        Rule = rule;
        FailureOffset = offset;
        Location = default;
        for (var d = 0; d < _depth; d++)
        {
            ref readonly var frame = ref _frames[d];
            Location.Append("/"u8);
            Location.Append(_xml.Slice(frame.NameStart + frame.LocalOffset, frame.NameLength - frame.LocalOffset));
            if (frame.Occurrence > 0) Location.AppendIndex(frame.Occurrence);
        }
        if (!name.IsEmpty)
        {
            Location.Append("/"u8);
            Location.Append(name);
        }
        return false;
    }

    private struct Frame
    {
        public int NameStart;
        public int NameLength;
        public int LocalOffset;
        public int BindingMark;
        public int ContentStart;
        public int Child;
        /// <summary>Numbers Reference and Transform elements in the location of a failure.</summary>
        public int Occurrence;
        /// <summary>The Reference (1-based) this element is or is inside of; 0 outside references.</summary>
        public int Reference;
        public SignaturePart Part;
    }

    [InlineArray(MaxDepth)]
    private struct Frames
    {
        private Frame _first;
    }
}
