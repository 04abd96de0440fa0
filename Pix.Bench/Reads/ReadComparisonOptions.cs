namespace Pix.Bench.Reads;

/// <summary>What <c>reads</c> or <c>ingest</c> measures when it starts its own servers. <see cref="Parts"/> 0: stream
/// reads (<see cref="Streams"/> per PSP); 1 or more: POSTs of that many messages from <see cref="Connections"/> senders.</summary>
internal sealed record ReadComparisonOptions(
    IReadOnlyList<ReadConfiguration> Configurations, int Runs, int Psps, int Streams, long PerPsp,
    TimeSpan Warmup, TimeSpan Duration, bool Half, string? Wrk, int ServerCpu, int ClientCpu, bool Progress,
    int Parts = 0, int Connections = 64, int SignedPerConnection = 0, long SignedPerPsp = 0, TimeSpan JitWarmup = default,
    IReadOnlyList<string>? ServerArgs = null)
{
    public bool Reads => Parts == 0;

    /// <summary>The options both commands share; throws <see cref="ArgumentException"/> on a bad mode or store.</summary>
    public static ReadComparisonOptions Parse(Commands.CommandArguments options, int parts)
    {
        var wrk = options.Text("wrk") ?? WrkRun.DefaultPath;
        return new ReadComparisonOptions(
            ReadConfiguration.Parse(options.Text("modes") ?? "ceiling,pipeline", options.Text("storage") ?? "memory,embedded", options.Has("production")),
            (int)options.Number("runs", 1), (int)options.Number("psps", 12), (int)Math.Clamp(options.Number("streams", 3), 1, 6),
            options.Number("per-psp", 100_000), TimeSpan.FromSeconds(options.Number("warmup", 3)), TimeSpan.FromSeconds(options.Number("duration", 3)),
            Half: !options.Has("no-half"), wrk == "none" ? null : wrk, (int)options.Number("server-cpu", 0), (int)options.Number("client-cpu", 1),
            Progress: options.Has("progress"), parts, (int)options.Number("connections", 64), (int)options.Number("signed-per-connection", 150),
            options.Number("signed-per-psp", 2_000), TimeSpan.FromSeconds(options.Number("jit-warmup", 6)),
            // --server-args "--Pix:Embedded:DedupCacheMB 2048": more settings for every Pix server it starts.
            options.Text("server-args")?.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Runs every configuration, prints the table, writes it to <c>--out</c> when given.</summary>
    public async Task<int> RunAsync(string? output)
    {
        if (OperatingSystem.IsLinux()) System.Diagnostics.Process.GetCurrentProcess().ProcessorAffinity = 1 << ClientCpu;
        var results = await new ReadComparison(this).RunAsync();
        var table = ReadReport.Table(results, Unit);
        Console.WriteLine();
        Console.WriteLine(table);
        if (output is not null) await File.WriteAllTextAsync(output, table);
        return 0;
    }
    public string Unit => Reads ? "reads" : "POSTs";
}
