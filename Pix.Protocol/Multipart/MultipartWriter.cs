using System.Buffers;
using Pix.Protocol.Ids;

namespace Pix.Protocol.Multipart;

/// <summary>
/// Frames stream batches as <c>multipart/mixed</c>: each part carries <c>Content-Type: application/xml;
/// charset=utf-8</c> and its <c>PI-ResourceId</c>. The boundary is fixed per process and long and random enough
/// never to occur in an XML payload. <see cref="Measure"/> gives the exact length first, so the response can carry
/// Content-Length and the payloads can be copied straight from storage into the socket buffer.
/// </summary>
public sealed class MultipartWriter
{
    private readonly byte[] _boundary;
    private readonly byte[] _contentType;

    public MultipartWriter(ReadOnlySpan<byte> boundary)
    {
        _boundary = boundary.ToArray();
        _contentType = [.. "multipart/mixed; boundary="u8, .. boundary];
    }

    public static MultipartWriter WithRandomBoundary()
    {
        Span<byte> random = stackalloc byte[12];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        Span<byte> hex = stackalloc byte[24];
        System.Convert.TryToHexStringLower(random, hex, out _);
        return new MultipartWriter([.. "pix-"u8, .. hex]);
    }

    /// <summary>The response's Content-Type value.</summary>
    public ReadOnlySpan<byte> ContentType => _contentType;

    private static ReadOnlySpan<byte> PartHeaders => "\r\nContent-Type: application/xml; charset=utf-8\r\nPI-ResourceId: "u8;

    private int PartOverhead => 4 + _boundary.Length + PartHeaders.Length + ResourceId.TextLength + 4;

    /// <summary>Bytes of a body holding parts of these payload lengths.</summary>
    public long Measure(ReadOnlySpan<int> payloadLengths)
    {
        long total = 0;
        foreach (var length in payloadLengths) total += PartOverhead + length;
        return total - 2 /* the first delimiter has no leading CRLF */ + 4 + _boundary.Length + 2 + 2;
    }

    /// <summary>Writes the delimiter and headers of part <paramref name="index"/>; the payload follows.</summary>
    public void WritePartHead(IBufferWriter<byte> output, int index, ResourceId id)
    {
        output.Write(index == 0 ? "--"u8 : "\r\n--"u8);
        output.Write(_boundary);
        output.Write(PartHeaders);
        var span = output.GetSpan(ResourceId.TextLength + 4);
        id.WriteText(span);
        "\r\n\r\n"u8.CopyTo(span[ResourceId.TextLength..]);
        output.Advance(ResourceId.TextLength + 4);
    }

    /// <summary>Writes the closing delimiter after the last payload.</summary>
    public void WriteEnd(IBufferWriter<byte> output)
    {
        output.Write("\r\n--"u8);
        output.Write(_boundary);
        output.Write("--\r\n"u8);
    }
}
