using System.Net;
using Pix.Bench.Load;

namespace Pix.Bench.Reads;

/// <summary>
/// One sender of <c>pix-bench ingest</c>: POSTs the same request again and again (one pacs.008, or a multipart of
/// several), each time with new ids (<see cref="StampedPost"/>). Counts the messages of every 201.
/// </summary>
internal sealed class IngestStream(IPEndPoint target, MessageFactory factory, string receiver, int parts, Func<long> nextBatch)
    : MeasuredStream(target)
{
    private readonly StampedPost _post = new(factory, receiver, parts);

    protected override ReadOnlyMemory<byte> NextRequest() => _post.Stamp(nextBatch());

    protected override int Answered(in ResponseHead head, ReadOnlySpan<byte> response, ReadWindow window)
    {
        if (head.Status == 201) return _post.Parts;
        window.Finished($"a POST got {head.Status}");
        return -1;
    }
}
