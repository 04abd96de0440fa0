using Pix.Protocol.Ids;
using Pix.Protocol.Xml.Schema;

namespace Pix.Protocol.Xml;

/// <summary>Character data: element-only content must be whitespace; simple values are decoded, checked against
/// their type, and feed the header and the cross-field rules.</summary>
internal ref partial struct MessageWalker
{
    private bool Content(bool isText)
    {
        if (_depth == 0)
        {
            return isText && TextDecoder.IsWhitespace(_xml[_tokens.TextStart.._tokens.TextEnd], references: false)
                || Fail(CheckFailure.Syntax, CheckRule.ContentOutsideRoot, _tokens.TokenStart);
        }
        ref var frame = ref _frames[_depth - 1];
        var raw = _xml[_tokens.TextStart.._tokens.TextEnd];
        switch (frame.Mode)
        {
            case FrameMode.Skip:
                return true;
            case FrameMode.Simple:
                // The raw range spans all the value's character data (it includes any comment between two parts).
                if (_valueRawStart == _valueRawEnd) _valueRawStart = _tokens.TextStart;
                _valueRawEnd = _tokens.TextEnd;
                if (!_valueOverflow && !TextDecoder.Append(raw, isText, _value, ref _valueLength)) _valueOverflow = true;
                return true;
            default:
                return TextDecoder.IsWhitespace(raw, isText)
                    || Fail(CheckFailure.Structure, CheckRule.TextInElementOnlyContent, _tokens.TokenStart);
        }
    }

    private bool EndValue(ElementDecl decl, int at)
    {
        if (_valueOverflow) return Fail(CheckFailure.Value, CheckRule.ValueLength, at);
        var value = _value[.._valueLength];
        var rule = SimpleValueCheck.Check(decl, value);
        var raw = new Range(_valueRawStart, _valueRawEnd);
        switch (decl.Role)
        {
            case FieldRole.From:
                HasFrom = Ispb.TryParse(value, out From);
                return HasFrom || Fail(CheckFailure.Header, CheckRule.Ispb, at);
            case FieldRole.To:
                HasTo = Ispb.TryParse(value, out To);
                return HasTo || Fail(CheckFailure.Header, CheckRule.Ispb, at);
            case FieldRole.BizMsgIdr:
                BizMsgIdr = raw;
                HasBizMsgIdr = rule == CheckRule.None;
                return HasBizMsgIdr || Fail(CheckFailure.Header, CheckRule.BizMsgIdr, at);
            case FieldRole.MsgDefIdr:
                MsgDefIdr = raw;
                if (rule != CheckRule.None ||
                    (_options.CrossFieldRules && !MessageCatalog.MatchesMsgDefIdr(_xml[TypeAndVersion], value)))
                {
                    return Fail(CheckFailure.Header, CheckRule.MsgDefIdr, at);
                }
                return true;
            case FieldRole.CreDt:
                CreDt = raw;
                return rule == CheckRule.None || Fail(CheckFailure.Header, CheckRule.CreDt, at);
        }
        if (rule != CheckRule.None) return Fail(CheckFailure.Value, rule, at);
        switch (decl.Role)
        {
            case FieldRole.NbOfTxs:
                _nbOfTxs = 0;
                foreach (var b in SimpleValueCheck.Collapse(value)) _nbOfTxs = _nbOfTxs * 10 + (b - '0');
                break;
            case FieldRole.Amount:
                if (_options.CrossFieldRules && !SimpleValueCheck.HasTwoDecimals(value))
                {
                    return Fail(CheckFailure.CrossField, CheckRule.AmountTwoDecimals, at);
                }
                break;
            case FieldRole.AdjustmentReason:
                var bit = value.SequenceEqual("VLCP"u8) ? 1 : 2;
                if ((_adjustmentReasons & bit) != 0)
                {
                    return Fail(CheckFailure.Value, CheckRule.UniqueAdjustmentReason, at);
                }
                _adjustmentReasons |= bit;
                break;
        }
        return true;
    }
}
