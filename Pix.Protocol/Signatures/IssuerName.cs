using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pix.Protocol.Xml;

namespace Pix.Protocol.Signatures;

/// <summary>
/// A certificate's issuer, prepared to be compared with the text of <c>X509IssuerName</c> without allocating.
/// XMLDSig writes the name as an RFC 4514 string, but signers differ in spacing, attribute keywords, quoting and
/// (older tools) the order of the RDNs; so the text is parsed into (attribute type, value) pairs and those are compared
/// with the certificate's: types as OIDs, values ignoring ASCII case, the RDNs in either order. Names this parser does
/// not take (multi-valued RDNs, hex values) still match when written exactly as .NET writes the issuer.
/// </summary>
internal sealed class IssuerName
{
    private const int MaxRdns = 32;
    private const int MaxNameBytes = 1024;

    private readonly byte[][] _types;
    private readonly byte[][] _values;
    private readonly byte[] _text;
    private readonly bool _comparable;

    private IssuerName(byte[][] types, byte[][] values, byte[] text, bool comparable)
    {
        _types = types;
        _values = values;
        _text = text;
        _comparable = comparable;
    }

    public static IssuerName From(X500DistinguishedName name)
    {
        var types = new List<byte[]>();
        var values = new List<byte[]>();
        var comparable = true;
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            var value = rdn.HasMultipleElements ? null : rdn.GetSingleElementValue();
            if (value is null)
            {
                comparable = false;
                break;
            }
            types.Add(Encoding.ASCII.GetBytes(rdn.GetSingleElementType().Value ?? ""));
            values.Add(Encoding.UTF8.GetBytes(value));
        }
        return new IssuerName([.. types], [.. values], Encoding.UTF8.GetBytes(name.Name), comparable && types.Count <= MaxRdns);
    }

    public bool Matches(ReadOnlySpan<byte> text)
    {
        text = Trim(text);
        if (Ascii.EqualsIgnoreCase(text, _text)) return true;
        if (!_comparable || text.Length > MaxNameBytes) return false;
        Span<byte> values = stackalloc byte[MaxNameBytes];
        Span<Rdn> rdns = stackalloc Rdn[MaxRdns];
        var count = Parse(text, rdns, values);
        if (count != _types.Length) return false;
        return Compare(text, rdns[..count], values, reversed: false) || Compare(text, rdns[..count], values, reversed: true);
    }

    private bool Compare(ReadOnlySpan<byte> text, ReadOnlySpan<Rdn> rdns, ReadOnlySpan<byte> values, bool reversed)
    {
        for (var i = 0; i < rdns.Length; i++)
        {
            var mine = reversed ? rdns.Length - 1 - i : i;
            var rdn = rdns[i];
            if (!Oid(text.Slice(rdn.TypeStart, rdn.TypeLength)).SequenceEqual(_types[mine])) return false;
            if (!Ascii.EqualsIgnoreCase(values.Slice(rdn.ValueStart, rdn.ValueLength), _values[mine])) return false;
        }
        return true;
    }

    /// <summary>Splits <c>type=value, type=value</c> (separators ',' or ';', values plain with backslash escapes or
    /// quoted); returns the number of RDNs, or -1 for what it does not take.</summary>
    private static int Parse(ReadOnlySpan<byte> text, Span<Rdn> rdns, Span<byte> values)
    {
        var count = 0;
        var written = 0;
        var pos = 0;
        while (true)
        {
            pos = SkipSpaces(text, pos);
            var equals = text[pos..].IndexOf((byte)'=');
            if (equals <= 0 || count == rdns.Length) return -1;
            var type = Trim(text.Slice(pos, equals));
            if (type.IsEmpty) return -1;
            ref var rdn = ref rdns[count++];
            rdn.TypeStart = pos;
            rdn.TypeLength = type.Length;
            pos = SkipSpaces(text, pos + equals + 1);
            rdn.ValueStart = written;
            if (pos < text.Length && text[pos] == '"')
            {
                pos++;
                while (pos < text.Length && text[pos] != '"')
                {
                    if (text[pos] == '\\' && ++pos == text.Length) return -1;
                    values[written++] = text[pos++];
                }
                if (pos == text.Length) return -1;
                pos = SkipSpaces(text, pos + 1);
                rdn.ValueLength = written - rdn.ValueStart;
            }
            else
            {
                if (pos < text.Length && text[pos] == '#') return -1;
                var significant = written;
                while (pos < text.Length && text[pos] is not ((byte)',' or (byte)';' or (byte)'+'))
                {
                    var b = text[pos++];
                    if (b == '\\')
                    {
                        if (pos == text.Length) return -1;
                        if (pos + 1 < text.Length && IsHex(text[pos]) && IsHex(text[pos + 1]))
                        {
                            b = (byte)(HexValue(text[pos]) << 4 | HexValue(text[pos + 1]));
                            pos += 2;
                        }
                        else
                        {
                            b = text[pos++];
                        }
                        values[written++] = b;
                        significant = written;
                        continue;
                    }
                    values[written++] = b;
                    if (b != ' ') significant = written;
                }
                written = significant;
                rdn.ValueLength = written - rdn.ValueStart;
            }
            if (pos == text.Length) return count;
            if (text[pos] is not ((byte)',' or (byte)';')) return -1;
            pos++;
        }
    }

    /// <summary>The dotted OID an attribute type names (a keyword, <c>OID.</c>-prefixed or bare dotted form).</summary>
    private static ReadOnlySpan<byte> Oid(ReadOnlySpan<byte> type)
    {
        if (type.Length > 4 && Ascii.EqualsIgnoreCase(type[..4], "OID."u8)) return type[4..];
        if (type.Length > 0 && (uint)(type[0] - '0') <= 9) return type;
        Span<byte> upper = stackalloc byte[16];
        if (type.Length > upper.Length) return type;
        Ascii.ToUpper(type, upper, out _);
        return upper[..type.Length] switch
        {
            var k when k.SequenceEqual("CN"u8) => "2.5.4.3"u8,
            var k when k.SequenceEqual("SN"u8) => "2.5.4.4"u8,
            var k when k.SequenceEqual("SERIALNUMBER"u8) => "2.5.4.5"u8,
            var k when k.SequenceEqual("C"u8) => "2.5.4.6"u8,
            var k when k.SequenceEqual("L"u8) => "2.5.4.7"u8,
            var k when k.SequenceEqual("ST"u8) || k.SequenceEqual("S"u8) => "2.5.4.8"u8,
            var k when k.SequenceEqual("STREET"u8) => "2.5.4.9"u8,
            var k when k.SequenceEqual("O"u8) => "2.5.4.10"u8,
            var k when k.SequenceEqual("OU"u8) => "2.5.4.11"u8,
            var k when k.SequenceEqual("T"u8) || k.SequenceEqual("TITLE"u8) => "2.5.4.12"u8,
            var k when k.SequenceEqual("G"u8) || k.SequenceEqual("GN"u8) || k.SequenceEqual("GIVENNAME"u8) => "2.5.4.42"u8,
            var k when k.SequenceEqual("I"u8) || k.SequenceEqual("INITIALS"u8) => "2.5.4.43"u8,
            var k when k.SequenceEqual("DC"u8) => "0.9.2342.19200300.100.1.25"u8,
            var k when k.SequenceEqual("UID"u8) => "0.9.2342.19200300.100.1.1"u8,
            var k when k.SequenceEqual("E"u8) || k.SequenceEqual("EMAIL"u8) || k.SequenceEqual("EMAILADDRESS"u8) => "1.2.840.113549.1.9.1"u8,
            _ => type,
        };
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && XmlChars.IsWhitespace(text[start])) start++;
        while (end > start && XmlChars.IsWhitespace(text[end - 1])) end--;
        return text[start..end];
    }

    private static int SkipSpaces(ReadOnlySpan<byte> text, int pos)
    {
        while (pos < text.Length && text[pos] == ' ') pos++;
        return pos;
    }

    private static bool IsHex(byte b) => (uint)(b - '0') <= 9 || (uint)((b | 0x20) - 'a') <= 5;

    private static int HexValue(byte b) => (uint)(b - '0') <= 9 ? b - '0' : (b | 0x20) - 'a' + 10;

    private struct Rdn
    {
        public int TypeStart;
        public int TypeLength;
        public int ValueStart;
        public int ValueLength;
    }
}
