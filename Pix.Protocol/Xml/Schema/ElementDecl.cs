namespace Pix.Protocol.Xml.Schema;

/// <summary>One element of an XSD sequence: its name, occurrence bounds, and either child elements or a simple type.
/// Built once per schema; checking walks these tables and allocates nothing.</summary>
internal sealed class ElementDecl
{
    public ElementDecl(string name, ElementDecl[] children, int min = 1, int max = 1, FieldRole role = FieldRole.None)
    {
        Name = System.Text.Encoding.ASCII.GetBytes(name);
        Children = children;
        Min = min;
        Max = max;
        Role = role;
    }

    public ElementDecl(string name, SimpleKind simple, int min = 1, int max = 1, FieldRole role = FieldRole.None, byte[][]? codes = null)
    {
        Name = System.Text.Encoding.ASCII.GetBytes(name);
        Simple = simple;
        Codes = codes;
        Min = min;
        Max = max;
        Role = role;
    }

    public byte[] Name { get; }
    public int Min { get; }
    public int Max { get; }
    public FieldRole Role { get; }
    /// <summary>Child sequence; null for simple content.</summary>
    public ElementDecl[]? Children { get; }
    public SimpleKind Simple { get; }
    /// <summary>Allowed values of an enumeration.</summary>
    public byte[][]? Codes { get; }

    /// <summary>The element carries the required <c>Ccy</c> attribute (ActiveCurrencyAndAmount).</summary>
    public bool HasCurrency => Simple == SimpleKind.Amount && Children is null;

    public static byte[][] CodeList(params string[] codes) =>
        Array.ConvertAll(codes, c => System.Text.Encoding.ASCII.GetBytes(c));
}
