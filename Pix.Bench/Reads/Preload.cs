using System.Net;
using Pix.Bench.Load;

namespace Pix.Bench.Reads;

/// <summary>Fills every PSP's queue before a <c>reads</c> phase: ten-message POSTs from the SPI, four connections per
/// PSP so a durable store's group commit has company. Not measured; its cost is the server's, before the window.</summary>
internal static class Preload
{
    private const int ConnectionsPerPsp = 4;
    private const int Parts = 10;

    public static Task<long> RunAsync(Func<IPEndPoint> targets, MessageFactory factory, IReadOnlyList<string> ispbs, long perPsp,
        IReadOnlyList<QueueBudget> budgets, ProductionDefaults? production) =>
        RunAsync(targets, factory, ispbs, perPsp, budgets, production?.Tls, production);

    /// <summary>With <paramref name="signer"/>, every message is signed by the SPI (a server verifying signatures).</summary>
    public static async Task<long> RunAsync(Func<IPEndPoint> targets, MessageFactory factory, IReadOnlyList<string> ispbs, long perPsp,
        IReadOnlyList<QueueBudget> budgets, ClientTls? tls = null, ProductionDefaults? signer = null)
    {
        long sent = 0;
        var batches = (perPsp + Parts - 1) / Parts;
        var producers = ispbs.SelectMany((ispb, p) => Enumerable.Range(0, ConnectionsPerPsp).Select(c => Task.Run(async () =>
        {
            using var connection = new RawHttpConnection(targets(), tls?.For(MessageFactory.Spi));
            var post = new StampedPost(factory, ispb, Parts);
            for (var b = c; b < batches; b += ConnectionsPerPsp)
            {
                await connection.SendAsync(signer is null ? post.Stamp(factory.NextSequence()) : signer.SignedPost(factory, ispb, Parts));
                var (head, _) = await connection.ReceiveAsync();
                if (head.Status != 201)
                    throw new InvalidOperationException($"preload got {head.Status}: start the server with a large Pix:RateLimit:Capacity and Pix:Limits:MaxBacklog");
                Interlocked.Add(ref sent, Parts);
                budgets[p].Add(Parts);
            }
        }))).ToArray();
        await Task.WhenAll(producers);
        return sent;
    }
}
