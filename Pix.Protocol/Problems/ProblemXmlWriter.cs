using System.Buffers;

namespace Pix.Protocol.Problems;

/// <summary>
/// Writes an RFC 7807 body in XML (<c>application/problem+xml</c>):
/// <c>&lt;problem xmlns="urn:ietf:rfc:7807"&gt;&lt;type&gt;{base}/{name}&lt;/type&gt;&lt;title/&gt;&lt;detail/&gt;&lt;/problem&gt;</c>.
/// The detail is escaped, since it may quote what the client sent.
/// </summary>
public sealed class ProblemXmlWriter(string typeBase = ProblemXmlWriter.IcomTypeBase)
{
    public const string IcomTypeBase = "https://icom.pi.rsfn.net.br/api/v1/error";
    public static ReadOnlySpan<byte> ContentType => "application/problem+xml"u8;

    private readonly byte[] _typeBase = System.Text.Encoding.UTF8.GetBytes(typeBase.TrimEnd('/'));

    /// <summary>The exact byte count <see cref="Write"/> will produce, so the caller can send Content-Length first.</summary>
    public int Measure(Problem problem, ReadOnlySpan<byte> detail, ReadOnlySpan<byte> extensions = default) =>
        Head.Length + _typeBase.Length + 1 + ProblemCatalog.Name(problem).Length + Mid1.Length +
        ProblemCatalog.Title(problem).Length + Mid2.Length + EscapedLength(detail) + Tail.Length + extensions.Length;

    /// <summary>Writes the document; <paramref name="extensions"/> are RFC 7807 extension members, already well-formed
    /// XML (see <see cref="Extension"/>), placed after <c>detail</c>.</summary>
    public void Write(IBufferWriter<byte> output, Problem problem, ReadOnlySpan<byte> detail, ReadOnlySpan<byte> extensions = default)
    {
        output.Write(Head);
        output.Write(_typeBase);
        output.Write("/"u8);
        output.Write(ProblemCatalog.Name(problem));
        output.Write(Mid1);
        output.Write(ProblemCatalog.Title(problem));
        output.Write(Mid2);
        WriteEscaped(output, detail);
        output.Write(Tail[..TailDetailLength]);
        output.Write(extensions);
        output.Write(Tail[TailDetailLength..]);
    }

    /// <summary>One extension member, <c>&lt;name&gt;value&lt;/name&gt;</c> with the value escaped (built once, off the
    /// request path: e.g. the owning region of a 421).</summary>
    public static byte[] Extension(string name, string value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var tag = System.Text.Encoding.UTF8.GetBytes(name);
        buffer.Write("<"u8);
        buffer.Write(tag);
        buffer.Write(">"u8);
        WriteEscaped(buffer, System.Text.Encoding.UTF8.GetBytes(value));
        buffer.Write("</"u8);
        buffer.Write(tag);
        buffer.Write(">"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private const int TailDetailLength = 9; // "</detail>"

    private static ReadOnlySpan<byte> Head => "<?xml version=\"1.0\" encoding=\"UTF-8\"?><problem xmlns=\"urn:ietf:rfc:7807\"><type>"u8;
    private static ReadOnlySpan<byte> Mid1 => "</type><title>"u8;
    private static ReadOnlySpan<byte> Mid2 => "</title><detail>"u8;
    private static ReadOnlySpan<byte> Tail => "</detail></problem>"u8;

    private static int EscapedLength(ReadOnlySpan<byte> text)
    {
        var length = 0;
        foreach (var b in text) length += Escape(b).Length is var n && n > 0 ? n : 1;
        return length;
    }

    private static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var escape = Escape(text[i]);
            if (escape.IsEmpty) continue;
            output.Write(text[start..i]);
            output.Write(escape);
            start = i + 1;
        }
        output.Write(text[start..]);
    }

    // Control bytes would make the XML ill-formed; they are shown as '?'.
    private static ReadOnlySpan<byte> Escape(byte b) => b switch
    {
        (byte)'<' => "&lt;"u8,
        (byte)'>' => "&gt;"u8,
        (byte)'&' => "&amp;"u8,
        (byte)'"' => "&quot;"u8,
        < 0x20 or 0x7F => "?"u8,
        _ => default,
    };
}
