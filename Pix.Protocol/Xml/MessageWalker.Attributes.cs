using Pix.Protocol.Xml.Schema;

namespace Pix.Protocol.Xml;

/// <summary>Attributes of elements the schema knows: only Ccy on amounts, and schema-location hints.</summary>
internal ref partial struct MessageWalker
{
    private bool CheckAttributes(ElementDecl? decl, FrameMode mode, int at)
    {
        var checksSchema = decl is not null;
        var needsCurrency = decl is not null && decl.HasCurrency;
        if (_tokens.AttributeCount == 0)
        {
            return !needsCurrency || Fail(CheckFailure.Attribute, CheckRule.CurrencyMissing, at);
        }
        var sawCurrency = false;
        var i = _tokens.AttributesStart;
        while (_tokens.NextAttribute(ref i, out var nameStart, out var nameLength, out var valueStart, out var valueEnd))
        {
            var name = _xml.Slice(nameStart, nameLength);
            if (name.SequenceEqual("xmlns"u8) || name.StartsWith("xmlns:"u8)) continue;
            var colon = name.IndexOf((byte)':');
            ReadOnlySpan<byte> uri = default;
            if (colon >= 0 && !Resolve(name[..colon], isAttribute: true, out uri)) return Fail(CheckFailure.Syntax, CheckRule.UnboundPrefix, at);
            if (!checksSchema) continue;
            // Schema location hints are allowed anywhere and ignored, as validators do without ProcessSchemaLocation.
            // xsi:type and xsi:nil are refused: no SPI element is nillable, and Pix does not substitute types.
            if (uri.SequenceEqual(XsiNamespace) &&
                (name[(colon + 1)..].SequenceEqual("schemaLocation"u8) || name[(colon + 1)..].SequenceEqual("noNamespaceSchemaLocation"u8)))
            {
                continue;
            }
            if (needsCurrency && name.SequenceEqual("Ccy"u8))
            {
                sawCurrency = true;
                Span<byte> value = stackalloc byte[8];
                if (!TextDecoder.AppendAttribute(_xml[valueStart..valueEnd], value, out var length) || !value[..length].SequenceEqual("BRL"u8))
                {
                    return Fail(CheckFailure.Attribute, CheckRule.Currency, valueStart);
                }
                continue;
            }
            return Fail(CheckFailure.Attribute, CheckRule.UnknownAttribute, nameStart);
        }
        if (needsCurrency && !sawCurrency) return Fail(CheckFailure.Attribute, CheckRule.CurrencyMissing, at);
        return true;
    }
}
