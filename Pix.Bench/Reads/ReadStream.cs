using System.Net;
using System.Net.Security;

namespace Pix.Bench.Reads;

/// <summary>
/// One stream of <c>pix-bench reads</c>: follows its <c>PI-Pull-Next</c> chain, each read acknowledging the last batch
/// and claiming the next. The request is patched in place with the next path; parts are counted by searching the
/// boundary in the body; nothing is decoded to text.
/// </summary>
internal sealed class ReadStream : MeasuredStream
{
    private static ReadOnlySpan<byte> Get => "GET "u8;
    private static ReadOnlySpan<byte> Tail => " HTTP/1.1\r\nHost: pix\r\nAccept: multipart/mixed\r\n\r\n"u8;

    private readonly byte[] _request = new byte[1024];
    private readonly byte[] _delimiter = new byte[128];
    private int _requestLength;
    private int _delimiterLength;

    private readonly QueueBudget _budget;

    public ReadStream(IPEndPoint target, string ispb, QueueBudget budget, SslClientAuthenticationOptions? tls = null) : base(target, tls)
    {
        _budget = budget;
        SetPath(System.Text.Encoding.ASCII.GetBytes($"/api/v1/out/{ispb}/stream/start"));
    }

    protected override ReadOnlyMemory<byte> NextRequest() => _request.AsMemory(0, _requestLength);

    protected override int Answered(in ResponseHead head, ReadOnlySpan<byte> response, ReadWindow window)
    {
        var hasNext = !head.PullNext.Equals(default(Range));
        if (hasNext) SetPath(response[head.PullNext]);
        if (head.Status != 200 || !hasNext)
        {
            // 204: the queue ran dry (the rest would be long polls); anything else is a failure the run reports.
            window.Finished(head.Status == 204 ? null : $"a read got {head.Status}");
            return -1;
        }
        var body = response[^head.ContentLength..];
        var parts = head.Boundary.Equals(default(Range)) ? 1 : CountParts(body, response[head.Boundary]);
        if (!_budget.Take(parts)) window.Finished(null);
        return parts;
    }

    private int CountParts(ReadOnlySpan<byte> body, ReadOnlySpan<byte> boundary)
    {
        if (_delimiterLength == 0 || !boundary.SequenceEqual(_delimiter.AsSpan(2, _delimiterLength - 2)))
        {
            "--"u8.CopyTo(_delimiter);
            boundary.CopyTo(_delimiter.AsSpan(2));
            _delimiterLength = boundary.Length + 2;
        }
        var delimiter = _delimiter.AsSpan(0, _delimiterLength);
        var count = 0;
        for (var at = body.IndexOf(delimiter); at >= 0; at = body.IndexOf(delimiter))
        {
            count++;
            body = body[(at + delimiter.Length)..];
        }
        // The last delimiter closes the body.
        return Math.Max(0, count - 1);
    }

    private void SetPath(ReadOnlySpan<byte> path)
    {
        Get.CopyTo(_request);
        path.CopyTo(_request.AsSpan(Get.Length));
        Tail.CopyTo(_request.AsSpan(Get.Length + path.Length));
        _requestLength = Get.Length + path.Length + Tail.Length;
    }
}
