using Pix.Bench.Embedded;
using Pix.Bench.Load;
using Pix.Storage.Memory;

namespace Pix.Bench.Ceiling;

/// <summary>
/// The two answers <c>pix-bench ceiling</c> replays, recorded from Pix itself: the embedded server (the host's object
/// graph and <c>HttpConnection</c>, memory store) answers a POST of one pacs.008 (201 with its <c>PI-ResourceId</c>)
/// and, once ten messages wait, a GET on <c>stream/start</c> (200, a ten-part multipart/mixed, <c>PI-Pull-Next</c>).
/// The messages are the ones <c>pix-bench reads</c> preloads (same factory, same size), so the ceiling sends the
/// bytes Pix sends in that benchmark, Date header and all.
/// </summary>
internal sealed record RecordedResponses(byte[] Created, byte[] Batch)
{
    private const string Receiver = "99999900";

    public static async Task<RecordedResponses> RecordAsync()
    {
        using var directory = new TempDirectory();
        await using var server = new EmbeddedServer(new MemoryQueueStore(TimeSpan.FromHours(1)), directory.Path);
        var factory = new MessageFactory("100000");
        var one = factory.Pacs008(1, Receiver, valid: true);
        var created = server.Record(IcomRequests.Post(MessageFactory.Spi, BatchBody.XmlType, one, gzip: false));
        var (body, contentType) = BatchBody.Build([.. Enumerable.Range(2, 9).Select(i => factory.Pacs008(i, Receiver, valid: true))]);
        Expect(server.Record(IcomRequests.Post(MessageFactory.Spi, contentType, body, gzip: false)), "201");
        var batch = server.Record(IcomRequests.Start(Receiver, gzip: false));
        Expect(created, "201");
        Expect(batch, "200");
        return new RecordedResponses(created, batch);
    }

    private static void Expect(byte[] response, string status)
    {
        if (response.Length < 12 || System.Text.Encoding.ASCII.GetString(response, 9, 3) != status)
        {
            throw new InvalidOperationException($"Recording expected {status}: {System.Text.Encoding.ASCII.GetString(response, 0, Math.Min(200, response.Length))}");
        }
    }
}
