using Pix.Bench.Reads;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>ingest</c>: durable ingest per second, POSTs of <c>--parts</c> messages (1: application/xml, more: multipart)
/// from <c>--connections</c> senders, each message new (its ids stamped in place per request). Same servers, phases
/// and report as <c>reads</c>: the ceiling (201 for any POST) and Pix per HTTP layer and store, saturation and half
/// of it, wrk POSTing to the ceiling in the same run.
/// </summary>
internal static class IngestBenchCommand
{
    public const string Usage = "ingest [--parts 1|10] [--connections 64] [--modes ceiling,pipeline,aspnet] [--storage memory,embedded] [--runs 1] "
        + "[--duration 5] [--warmup 1] [--no-half] [--wrk /usr/bin/wrk|none] [--out FILE]";

    public static async Task<int> RunAsync(CommandArguments options)
    {
        try
        {
            var parts = (int)Math.Clamp(options.Number("parts", 1), 1, 100);
            return await ReadComparisonOptions.Parse(options, parts).RunAsync(options.Text("out"));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }
}
