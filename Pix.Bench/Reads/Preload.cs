using System.Net;
using Pix.Bench.Load;

namespace Pix.Bench.Reads;

/// <summary>Fills every PSP's queue before a <c>reads</c> phase: ten-message POSTs from the SPI, four connections per
/// PSP so a durable store's group commit has company. Not measured; its cost is the server's, before the window.</summary>
internal static class Preload
{
    public static async Task<long> RunAsync(Func<IPEndPoint> targets, MessageFactory factory, IReadOnlyList<string> ispbs, long perPsp)
    {
        long sent = 0;
        const int connectionsPerPsp = 4;
        var batches = (perPsp + 9) / 10;
        var producers = ispbs.SelectMany(ispb => Enumerable.Range(0, connectionsPerPsp).Select(c => Task.Run(async () =>
        {
            using var connection = new IcomConnection(targets());
            for (var b = c; b < batches; b += connectionsPerPsp)
            {
                var parts = Enumerable.Range(0, 10).Select(_ => factory.Pacs008(factory.NextSequence(), ispb, valid: true)).ToList();
                var (body, contentType) = BatchBody.Build(parts);
                var response = await connection.SendAsync(IcomRequests.Post(MessageFactory.Spi, contentType, body, gzip: false), CancellationToken.None);
                if (response.Status != 201)
                    throw new InvalidOperationException($"preload got {response.Status}: start the server with a large Pix:RateLimit:Capacity and Pix:Limits:MaxBacklog");
                Interlocked.Add(ref sent, 10);
            }
        }))).ToArray();
        await Task.WhenAll(producers);
        return sent;
    }
}
