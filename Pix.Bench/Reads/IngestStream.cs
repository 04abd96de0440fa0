using System.Net;
using System.Net.Security;
using Pix.Bench.Load;

namespace Pix.Bench.Reads;

/// <summary>
/// One sender of <c>pix-bench ingest</c>: POSTs the same request again and again (one pacs.008, or a multipart of
/// several), each time with new ids (<see cref="StampedPost"/>). Counts the messages of every 201. With
/// <paramref name="signed"/> (<c>--production</c>) it sends those requests instead, signed before the window, and
/// ends the window when they run out (new ids would break their signatures).
/// </summary>
internal sealed class IngestStream(IPEndPoint target, MessageFactory factory, string receiver, int parts, Func<long> nextBatch,
    SslClientAuthenticationOptions? tls = null, IReadOnlyList<byte[]>? signed = null)
    : MeasuredStream(target, tls)
{
    private readonly StampedPost _post = new(factory, receiver, parts);
    private int _nextSigned;

    protected override ReadOnlyMemory<byte> NextRequest() => signed is null ? _post.Stamp(nextBatch()) : signed[_nextSigned++];

    protected override int Answered(in ResponseHead head, ReadOnlySpan<byte> response, ReadWindow window)
    {
        if (head.Status != 201)
        {
            window.Finished($"a POST got {head.Status}");
            return -1;
        }
        if (signed is not null && _nextSigned == signed.Count)
        {
            // Out of signed requests: like a queue that ran dry, the window ends here.
            window.Finished(null);
            return -1;
        }
        return _post.Parts;
    }
}
