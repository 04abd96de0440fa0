namespace Pix.Protocol.Xml;

/// <summary>
/// A forward-only XML 1.0 lexer over UTF-8 bytes (already checked to be valid UTF-8 without forbidden control
/// characters). It returns start tags (attributes left raw, already checked for syntax and references), end tags,
/// raw text and CDATA, and skips comments and processing instructions (or reports the latter, for canonicalization).
/// It never expands anything: a DOCTYPE or entity declaration is an error, so there is no DTD processing, hence no
/// XXE and no entity expansion.
/// </summary>
internal ref struct XmlTokenizer
{
    private readonly ReadOnlySpan<byte> _xml;
    private readonly bool _reportProcessingInstructions;
    private int _pos;

    /// <param name="reportProcessingInstructions">Return processing instructions other than the XML declaration as
    /// <see cref="XmlTokenKind.ProcessingInstruction"/> (target in NameStart/NameLength, data after the target in
    /// TextStart..TextEnd) instead of skipping them: exclusive C14N keeps them.</param>
    public XmlTokenizer(ReadOnlySpan<byte> xml, int start, bool reportProcessingInstructions = false)
    {
        _xml = xml;
        _pos = start;
        _reportProcessingInstructions = reportProcessingInstructions;
    }

    public int TokenStart;
    public int NameStart;
    public int NameLength;
    /// <summary>Offset of ':' inside the name, or -1.</summary>
    public int NameColon;
    public int AttributesStart;
    public int AttributesEnd;
    public int AttributeCount;
    public bool SelfClosing;
    public int TextStart;
    public int TextEnd;
    public CheckFailure ErrorFailure;
    public CheckRule ErrorRule;

    public readonly int Position => _pos;

    public XmlTokenKind Next()
    {
        var xml = _xml;
        while (true)
        {
            TokenStart = _pos;
            if (_pos >= xml.Length) return XmlTokenKind.End;
            if (xml[_pos] != '<') return ReadText();
            if (_pos + 1 >= xml.Length) return Fail(CheckRule.TagSyntax);
            var next = xml[_pos + 1];
            if (next == '/') return ReadEndTag();
            if (next == '?')
            {
                var kind = ReadProcessingInstruction();
                if (kind == XmlTokenKind.End) continue;
                return kind;
            }
            if (next == '!')
            {
                var rest = xml[_pos..];
                if (rest.StartsWith("<!--"u8))
                {
                    if (!SkipComment()) return Fail(CheckRule.CommentSyntax);
                    continue;
                }
                if (rest.StartsWith("<![CDATA["u8)) return ReadCData();
                if (rest.StartsWith("<!DOCTYPE"u8) || rest.StartsWith("<!ENTITY"u8) || rest.StartsWith("<!ELEMENT"u8) ||
                    rest.StartsWith("<!ATTLIST"u8) || rest.StartsWith("<!NOTATION"u8))
                {
                    return Fail(CheckRule.Doctype, CheckFailure.Dtd);
                }
                return Fail(CheckRule.TagSyntax);
            }
            return ReadStartTag();
        }
    }

    private XmlTokenKind Fail(CheckRule rule, CheckFailure failure = CheckFailure.Syntax)
    {
        ErrorRule = rule;
        ErrorFailure = failure;
        return XmlTokenKind.Error;
    }

    private XmlTokenKind ReadText()
    {
        var xml = _xml;
        var end = xml[_pos..].IndexOf((byte)'<');
        end = end < 0 ? xml.Length : _pos + end;
        var text = xml[_pos..end];
        // Most text is the indentation between tags: one search for the bytes that need a closer look.
        if (text.IndexOfAny((byte)']', (byte)'&') >= 0)
        {
            if (text.IndexOf("]]>"u8) >= 0) return Fail(CheckRule.CDataSyntax);
            if (!CheckReferences(text, out var rule)) return Fail(rule);
        }
        TextStart = _pos;
        TextEnd = end;
        _pos = end;
        return XmlTokenKind.Text;
    }

    private XmlTokenKind ReadCData()
    {
        var start = _pos + 9;
        var end = _xml[start..].IndexOf("]]>"u8);
        if (end < 0) return Fail(CheckRule.CDataSyntax);
        TextStart = start;
        TextEnd = start + end;
        _pos = TextEnd + 3;
        return XmlTokenKind.CData;
    }

    private bool SkipComment()
    {
        var start = _pos + 4;
        var end = _xml[start..].IndexOf("--"u8);
        if (end < 0) return false;
        var close = start + end;
        // "--" may only appear as the start of "-->", and "--->" is not allowed either.
        if (close + 2 >= _xml.Length || _xml[close + 2] != '>') return false;
        _pos = close + 3;
        return true;
    }

    // Returns End for a PI that is skipped, ProcessingInstruction for one that is reported, Declaration for the XML
    // declaration (validated by the caller), or Error.
    private XmlTokenKind ReadProcessingInstruction()
    {
        var start = _pos + 2;
        var nameLength = XmlChars.ReadQName(_xml, start, out var colon);
        if (nameLength == 0 || colon >= 0) return Fail(CheckRule.ProcessingInstructionSyntax);
        var end = _xml[start..].IndexOf("?>"u8);
        if (end < 0) return Fail(CheckRule.ProcessingInstructionSyntax);
        var after = start + nameLength;
        if (after < start + end && !XmlChars.IsWhitespace(_xml[after])) return Fail(CheckRule.ProcessingInstructionSyntax);
        var target = _xml.Slice(start, nameLength);
        TextStart = after;
        TextEnd = start + end;
        _pos = start + end + 2;
        if (target.Length == 3 && (target[0] | 0x20) == 'x' && (target[1] | 0x20) == 'm' && (target[2] | 0x20) == 'l')
        {
            // Only the exact lowercase "xml" at the very start is the declaration; any other case is reserved.
            return target.SequenceEqual("xml"u8) ? XmlTokenKind.Declaration : Fail(CheckRule.ProcessingInstructionSyntax);
        }
        NameStart = start;
        NameLength = nameLength;
        return _reportProcessingInstructions ? XmlTokenKind.ProcessingInstruction : XmlTokenKind.End;
    }

    private XmlTokenKind ReadEndTag()
    {
        var start = _pos + 2;
        NameLength = XmlChars.ReadQName(_xml, start, out NameColon);
        if (NameLength == 0) return Fail(CheckRule.TagSyntax);
        NameStart = start;
        var i = start + NameLength;
        while (i < _xml.Length && XmlChars.IsWhitespace(_xml[i])) i++;
        if (i >= _xml.Length || _xml[i] != '>') return Fail(CheckRule.TagSyntax);
        _pos = i + 1;
        return XmlTokenKind.EndElement;
    }

    private XmlTokenKind ReadStartTag()
    {
        var xml = _xml;
        var start = _pos + 1;
        NameLength = XmlChars.ReadQName(xml, start, out NameColon);
        if (NameLength == 0) return Fail(CheckRule.TagSyntax);
        NameStart = start;
        var i = start + NameLength;
        AttributesStart = i;
        AttributeCount = 0;
        while (true)
        {
            var spaced = false;
            while (i < xml.Length && XmlChars.IsWhitespace(xml[i]))
            {
                i++;
                spaced = true;
            }
            if (i >= xml.Length) return Fail(CheckRule.TagSyntax);
            var b = xml[i];
            if (b == '>')
            {
                AttributesEnd = i;
                SelfClosing = false;
                _pos = i + 1;
                return XmlTokenKind.StartElement;
            }
            if (b == '/')
            {
                if (i + 1 >= xml.Length || xml[i + 1] != '>') return Fail(CheckRule.TagSyntax);
                AttributesEnd = i;
                SelfClosing = true;
                _pos = i + 2;
                return XmlTokenKind.StartElement;
            }
            if (!spaced) return Fail(CheckRule.AttributeSyntax);
            if (!ReadAttribute(ref i, out _, out _, out _, out _)) return Fail(ErrorRule == CheckRule.None ? CheckRule.AttributeSyntax : ErrorRule);
            AttributeCount++;
        }
    }

    /// <summary>Reads one attribute at <paramref name="i"/> (no leading whitespace); checks its value's references.</summary>
    public bool ReadAttribute(ref int i, out int nameStart, out int nameLength, out int valueStart, out int valueEnd)
    {
        var xml = _xml;
        nameStart = i;
        valueStart = valueEnd = 0;
        ErrorRule = CheckRule.None;
        nameLength = XmlChars.ReadQName(xml, i, out _);
        if (nameLength == 0) return false;
        i += nameLength;
        while (i < xml.Length && XmlChars.IsWhitespace(xml[i])) i++;
        if (i >= xml.Length || xml[i] != '=') return false;
        i++;
        while (i < xml.Length && XmlChars.IsWhitespace(xml[i])) i++;
        if (i >= xml.Length || (xml[i] != '"' && xml[i] != '\'')) return false;
        var quote = xml[i];
        var close = xml[(i + 1)..].IndexOf(quote);
        if (close < 0) return false;
        valueStart = i + 1;
        valueEnd = valueStart + close;
        var value = xml[valueStart..valueEnd];
        if (value.IndexOf((byte)'<') >= 0) return false;
        if (!CheckReferences(value, out var rule))
        {
            ErrorRule = rule;
            return false;
        }
        i = valueEnd + 1;
        return true;
    }

    /// <summary>Iterates the attributes of the current start tag (already checked), skipping the leading whitespace.</summary>
    public bool NextAttribute(ref int i, out int nameStart, out int nameLength, out int valueStart, out int valueEnd)
    {
        while (i < AttributesEnd && XmlChars.IsWhitespace(_xml[i])) i++;
        if (i >= AttributesEnd)
        {
            nameStart = nameLength = valueStart = valueEnd = 0;
            return false;
        }
        return ReadAttribute(ref i, out nameStart, out nameLength, out valueStart, out valueEnd);
    }

    private static bool CheckReferences(ReadOnlySpan<byte> text, out CheckRule rule)
    {
        rule = CheckRule.None;
        var at = text.IndexOf((byte)'&');
        while (at >= 0)
        {
            var length = XmlChars.ReadReference(text[at..], out _, out rule);
            if (length == 0) return false;
            var next = text[(at + length)..].IndexOf((byte)'&');
            at = next < 0 ? -1 : at + length + next;
        }
        rule = CheckRule.None;
        return true;
    }
}
