using System.Text;
using Pix.Bench.Load;

namespace Pix.Bench.Reads;

/// <summary>
/// A POST of <see cref="Parts"/> pacs.008 built once, whose messages get new ids in place before each send: every
/// message's BizMsgIdr and MsgId carry its sequence number (17 digits), so each request stores new messages rather
/// than duplicates, and building one costs a few dozen digit writes instead of formatting XML.
/// </summary>
internal sealed class StampedPost
{
    private readonly byte[] _request;
    private readonly int[] _serials;

    public StampedPost(MessageFactory factory, string receiver, int parts)
    {
        Parts = parts;
        var messages = Enumerable.Range(0, parts).Select(_ => factory.Pacs008(0, receiver, valid: true)).ToList();
        var (body, contentType) = BatchBody.Build(messages);
        _request = IcomRequests.Post(MessageFactory.Spi, contentType, body, gzip: false);
        // Each message names its id twice (AppHdr/BizMsgIdr, GrpHdr/MsgId): both get the message's sequence.
        var marker = Encoding.ASCII.GetBytes(factory.Marker);
        var serials = new List<int>();
        for (var at = _request.AsSpan().IndexOf(marker); at >= 0;)
        {
            serials.Add(at + marker.Length);
            var next = _request.AsSpan(at + marker.Length).IndexOf(marker);
            at = next < 0 ? -1 : at + marker.Length + next;
        }
        if (serials.Count != 2 * parts) throw new InvalidOperationException($"Expected {2 * parts} ids in the request, found {serials.Count}.");
        _serials = [.. serials];
    }

    public int Parts { get; }

    /// <summary>The request with its messages numbered <paramref name="batch"/> × Parts onwards.</summary>
    public ReadOnlyMemory<byte> Stamp(long batch)
    {
        var first = batch * Parts;
        for (var i = 0; i < _serials.Length; i++) Write(_request.AsSpan(_serials[i], 17), first + i / 2);
        return _request;
    }

    private static void Write(Span<byte> digits, long value)
    {
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            digits[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }
}
