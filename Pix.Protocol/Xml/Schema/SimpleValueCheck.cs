using System.Runtime.CompilerServices;

namespace Pix.Protocol.Xml.Schema;

/// <summary>
/// Checks a value (entities decoded, line ends normalised) against its XSD simple type. Types derived from
/// xs:dateTime, xs:date, xs:decimal and xs:integer collapse whitespace before their pattern applies, as XSD says;
/// string types do not. Lengths count characters, not bytes.
/// </summary>
internal static class SimpleValueCheck
{
    public static CheckRule Check(ElementDecl decl, ReadOnlySpan<byte> value) => decl.Simple switch
    {
        SimpleKind.Ispb => IsIspb(value) ? CheckRule.None : CheckRule.IspbPattern,
        SimpleKind.MsgId => IsMsgId(value) ? CheckRule.None : CheckRule.MsgIdPattern,
        SimpleKind.IsoDateTime => IsIsoDateTime(Collapse(value)) ? CheckRule.None : CheckRule.DateTime,
        SimpleKind.IsoDate => IsDate(Collapse(value)) ? CheckRule.None : CheckRule.Date,
        SimpleKind.Max35Text => IsText(value, 35) ? CheckRule.None : CheckRule.Max35Text,
        SimpleKind.Max77Text => IsText(value, 77) ? CheckRule.None : CheckRule.Max77Text,
        SimpleKind.Max105Text => IsText(value, 105) ? CheckRule.None : CheckRule.Max105Text,
        SimpleKind.Max140Text => IsText(value, 140) ? CheckRule.None : CheckRule.Max140Text,
        SimpleKind.EndToEndId => IsTransactionId(value, (byte)'E', (byte)'E') ? CheckRule.None : CheckRule.EndToEndIdPattern,
        // The XSD writes [E|D], a character class that also admits '|'; Pix follows the schema to the letter.
        SimpleKind.OrgnlInstrId => IsTransactionId(value, (byte)'E', (byte)'D') || IsTransactionId(value, (byte)'|', (byte)'|')
            ? CheckRule.None : CheckRule.OrgnlInstrIdPattern,
        SimpleKind.RtrId => IsTransactionId(value, (byte)'D', (byte)'D') ? CheckRule.None : CheckRule.RtrIdPattern,
        SimpleKind.TxId => value.Length is >= 1 and <= 35 && AllAlnum(value) ? CheckRule.None : CheckRule.TxIdPattern,
        SimpleKind.CpfCnpj => (value.Length == 11 && AllDigits(value)) || IsCnpj(value) ? CheckRule.None : CheckRule.CpfCnpjPattern,
        SimpleKind.Cnpj => IsCnpj(value) ? CheckRule.None : CheckRule.CnpjPattern,
        SimpleKind.Max4Numeric => IsDigits(Collapse(value), 4) ? CheckRule.None : CheckRule.Max4Numeric,
        SimpleKind.Max15Numeric => IsDigits(Collapse(value), 15) ? CheckRule.None : CheckRule.Max15Numeric,
        SimpleKind.Max15NumericText => IsDigits(value, 15) ? CheckRule.None : CheckRule.Max15Numeric,
        SimpleKind.Max20Numeric => IsDigits(Collapse(value), 20) ? CheckRule.None : CheckRule.Max20Numeric,
        SimpleKind.Amount => CheckAmount(Collapse(value)),
        SimpleKind.Enumeration => IsCode(decl.Codes!, value) ? CheckRule.None : CheckRule.Enumeration,
        _ => CheckRule.Enumeration,
    };

    public static ReadOnlySpan<byte> Collapse(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length && XmlChars.IsWhitespace(value[start])) start++;
        var end = value.Length;
        while (end > start && XmlChars.IsWhitespace(value[end - 1])) end--;
        return value[start..end];
    }

    public static bool IsIspb(ReadOnlySpan<byte> value)
    {
        if (value.Length != 8) return false;
        foreach (var b in value) if (!IsUpperAlnum(b)) return false;
        return true;
    }

    public static bool IsMsgId(ReadOnlySpan<byte> value) =>
        value.Length == 32 && value[0] == 'M' && IsIspb(value.Slice(1, 8)) && AllAlnum(value[9..]);

    /// <summary><c>[first|second][0-9A-Z]{8}[0-9]{4}[0-1][0-9][0-3][0-9][0-2][0-9][0-5][0-9][a-zA-Z0-9]{11}</c></summary>
    private static bool IsTransactionId(ReadOnlySpan<byte> v, byte first, byte second) =>
        v.Length == 32 && (v[0] == first || v[0] == second) && IsIspb(v.Slice(1, 8)) && AllDigits(v.Slice(9, 12)) &&
        v[13] <= '1' && v[15] <= '3' && v[17] <= '2' && v[19] <= '5' && AllAlnum(v[21..]);

    private static bool IsCnpj(ReadOnlySpan<byte> value)
    {
        if (value.Length != 14) return false;
        foreach (var b in value[..12]) if (!IsUpperAlnum(b)) return false;
        return AllDigits(value[12..]);
    }

    private static bool IsDigits(ReadOnlySpan<byte> value, int max) => value.Length >= 1 && value.Length <= max && AllDigits(value);

    private static bool IsText(ReadOnlySpan<byte> value, int maxChars)
    {
        if (value.IsEmpty) return false;
        if (value.Length <= maxChars) return true;
        // Count characters: every UTF-8 byte that is not a continuation byte starts one.
        var chars = 0;
        foreach (var b in value) if ((b & 0xC0) != 0x80) chars++;
        return chars <= maxChars;
    }

    private static bool IsCode(byte[][] codes, ReadOnlySpan<byte> value)
    {
        foreach (var code in codes) if (value.SequenceEqual(code)) return true;
        return false;
    }

    /// <summary>xs:dateTime restricted to <c>YYYY-MM-DDThh:mm:ss.sssZ</c>: the pattern, and a real date and time.</summary>
    public static bool IsIsoDateTime(ReadOnlySpan<byte> v) =>
        v.Length == 24 && IsDatePart(v[..10]) && v[10] == 'T' && IsTimePart(v.Slice(11, 8)) && v[19] == '.' &&
        AllDigits(v.Slice(20, 3)) && v[23] == 'Z';

    /// <summary>xs:date: <c>YYYY-MM-DD</c> with an optional time zone (<c>Z</c> or <c>±hh:mm</c>), as .NET's validator reads it.</summary>
    private static bool IsDate(ReadOnlySpan<byte> v)
    {
        if (v.Length < 10 || !IsDatePart(v[..10])) return false;
        var zone = v[10..];
        if (zone.IsEmpty) return true;
        if (zone.Length == 1) return zone[0] == 'Z';
        // XSD caps zones at ±14:00; .NET's validator (the reference Pix is tested against) takes any ±dd:dd.
        return zone.Length == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
            AllDigits(zone.Slice(1, 2)) && AllDigits(zone.Slice(4, 2));
    }

    private static bool IsDatePart(ReadOnlySpan<byte> v)
    {
        if (v.Length != 10 || v[4] != '-' || v[7] != '-' || !AllDigits(v[..4]) || !AllDigits(v.Slice(5, 2)) || !AllDigits(v.Slice(8, 2)))
            return false;
        var year = Two(v) * 100 + Two(v[2..]);
        var month = Two(v[5..]);
        var day = Two(v[8..]);
        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    private static bool IsTimePart(ReadOnlySpan<byte> v) =>
        v[2] == ':' && v[5] == ':' && AllDigits(v[..2]) && AllDigits(v.Slice(3, 2)) && AllDigits(v.Slice(6, 2)) &&
        Two(v) <= 23 && Two(v[3..]) <= 59 && Two(v[6..]) <= 59;

    /// <summary>ActiveCurrencyAndAmount: xs:decimal, fractionDigits 2, totalDigits 18, minInclusive 0. As in XSD, the
    /// digit facets apply to the value, so trailing fraction zeros and leading zeros do not count.</summary>
    private static CheckRule CheckAmount(ReadOnlySpan<byte> v)
    {
        var negative = false;
        if (!v.IsEmpty && (v[0] == '+' || v[0] == '-'))
        {
            negative = v[0] == '-';
            v = v[1..];
        }
        var dot = v.IndexOf((byte)'.');
        var whole = dot < 0 ? v : v[..dot];
        var fraction = dot < 0 ? default : v[(dot + 1)..];
        if (whole.IsEmpty && fraction.IsEmpty) return CheckRule.Decimal;
        if (!AllDigits(whole) || !AllDigits(fraction)) return CheckRule.Decimal;
        whole = whole.TrimStart((byte)'0');
        fraction = fraction.TrimEnd((byte)'0');
        if (fraction.Length > 2 || whole.Length + fraction.Length > 18) return CheckRule.AmountDigits;
        if (negative && (!whole.IsEmpty || !fraction.IsEmpty)) return CheckRule.AmountNegative;
        return CheckRule.None;
    }

    /// <summary>The cross-field form Pix asks of amounts: digits, a dot, exactly two digits; nothing else.</summary>
    public static bool HasTwoDecimals(ReadOnlySpan<byte> v) =>
        v.Length >= 4 && v[^3] == '.' && AllDigits(v[..^3]) && AllDigits(v[^2..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Two(ReadOnlySpan<byte> v) => (v[0] - '0') * 10 + (v[1] - '0');

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsUpperAlnum(byte b) => (uint)(b - '0') <= 9 || (uint)(b - 'A') <= 25;

    private static bool AllDigits(ReadOnlySpan<byte> v)
    {
        foreach (var b in v) if ((uint)(b - '0') > 9) return false;
        return true;
    }

    private static bool AllAlnum(ReadOnlySpan<byte> v)
    {
        foreach (var b in v) if (!(IsUpperAlnum(b) || (uint)(b - 'a') <= 25)) return false;
        return true;
    }
}
