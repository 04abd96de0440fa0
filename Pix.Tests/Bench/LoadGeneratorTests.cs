using Pix.Bench.Load;
using Pix.Tests.Support;

namespace Pix.Tests.Bench;

/// <summary>The load generator end to end against a real server: a short, low-rate soak loses nothing and leaves a report.</summary>
public sealed class LoadGeneratorTests
{
    [Fact]
    public async Task ShortSoakLosesNothingAndWritesTheReportFolder()
    {
        // Short long polls and idle timeout so abandoned streams give their batches back within the drain.
        await using var server = await PixServerProcess.StartAsync("memory", null,
            ("Pix:Streams:LongPollSeconds", "1"), ("Pix:Streams:IdleTimeoutSeconds", "2"));
        using var reports = new TempDirectory("pix-bench-report");
        var options = new LoadOptions
        {
            Target = new Uri($"http://127.0.0.1:{server.Port}"),
            Admin = new Uri($"http://127.0.0.1:{server.AdminPort}"),
            DurationSeconds = 5,
            Rate = 100,
            Psps = 8,
            Producers = 4,
            LifetimeMinSeconds = 1,
            LifetimeMaxSeconds = 2,
            AbandonShare = 0.3,
            DrainSeconds = 15,
            Quiet = true,
            Output = reports.Path,
        };
        options.Validate();

        var summary = await new LoadRun(options).RunAsync();

        Assert.True(summary.Ledger.Accepted > 300, $"only {summary.Ledger.Accepted} messages were accepted");
        Assert.Equal(0, summary.Ledger.Lost);
        Assert.Equal(0, summary.Ledger.UnexpectedDuplicates);
        Assert.True(summary.Passed);
        Assert.True(File.Exists(Path.Combine(reports.Path, "report.md")));
        Assert.True(File.Exists(Path.Combine(reports.Path, "summary.json")));
        Assert.NotEmpty(Directory.GetFiles(reports.Path, "*.png"));
        // The server's memory was sampled from its /metrics most seconds, plotted and tabled.
        var sampled = summary.Seconds.Where(x => x.ServerRssMiB > 0).ToArray();
        Assert.True(sampled.Length >= summary.Seconds.Length / 2, $"memory sampled in {sampled.Length} of {summary.Seconds.Length} seconds");
        Assert.All(sampled, x => Assert.InRange(x.ServerHeapMiB, 0.1, x.ServerRssMiB));
        Assert.True(File.Exists(Path.Combine(reports.Path, PlotWriter.Memory)));
        Assert.Contains("## Server memory", File.ReadAllText(Path.Combine(reports.Path, "report.md")));
    }

    [Fact]
    public void TheMemoryProbeReadsRssAndSumsTheHeapsGenerations()
    {
        const string exposition = """
            # TYPE dotnet_process_memory_working_set_bytes gauge
            dotnet_process_memory_working_set_bytes{otel_scope_name="System.Runtime"} 92213248
            dotnet_gc_last_collection_heap_fragmentation_size_bytes{gc_heap_generation="gen0"} 137584
            dotnet_gc_last_collection_heap_size_bytes{gc_heap_generation="gen0"} 145904
            dotnet_gc_last_collection_heap_size_bytes{gc_heap_generation="loh"} 6.8157536E7
            dotnet_process_memory_working_set_bytes_other 5
            """;

        Assert.True(ServerMemoryProbe.TryParse(exposition, out var rss, out var heap));
        Assert.Equal(92213248, rss);
        Assert.Equal(145904 + 68157536, heap);
        Assert.False(ServerMemoryProbe.TryParse("dotnet_gc_last_collection_heap_size_bytes 5\n", out _, out _));
    }

    [Fact]
    public async Task OverMutualTlsTheRunsPspsGetCertificatesFromTheSetsCaAndLoseNothing()
    {
        using var certificates = new TestCertificates(psps: 0);
        await using var server = await PixServerProcess.StartAsync("memory", null,
            ("Pix:Tls:Mode", "mtls"), ("Pix:Tls:CertificatePath", certificates.Set.ServerCertificate), ("Pix:Tls:KeyPath", certificates.Set.ServerKey),
            ("Pix:Tls:ClientCaPath", certificates.Set.CaCertificate), ("Pix:Streams:LongPollSeconds", "1"), ("Pix:Streams:IdleTimeoutSeconds", "2"));
        using var reports = new TempDirectory("pix-bench-report");
        using var tls = new ClientTls(certificates.Set.Directory);
        var options = new LoadOptions
        {
            Target = new Uri($"https://127.0.0.1:{server.Port}"),
            Admin = new Uri($"http://127.0.0.1:{server.AdminPort}"),
            Tls = tls,
            DurationSeconds = 3,
            Rate = 50,
            Psps = 3,
            Producers = 2,
            AbandonShare = 0,
            DrainSeconds = 10,
            Quiet = true,
            Output = reports.Path,
        };
        options.Validate();

        var summary = await new LoadRun(options).RunAsync();

        Assert.True(summary.Ledger.Accepted > 50, $"only {summary.Ledger.Accepted} messages were accepted");
        Assert.Equal(0, summary.Ledger.Lost);
        Assert.True(summary.Passed);
    }

    [Fact]
    public void OnlyLoopbackIsATarget()
    {
        var options = new LoadOptions { Target = new Uri("http://10.0.0.1:8080") };
        Assert.Throws<ArgumentException>(options.Validate);
    }
}
