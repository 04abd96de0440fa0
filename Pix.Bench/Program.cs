using Pix.Bench.Commands;

namespace Pix.Bench;

/// <summary>pix-bench: one command per file under Commands/; this only dispatches on the first argument.</summary>
internal static class Program
{
    private const string Commands =
        "Commands:\n" +
        "  gate [--budgets PATH] [--filter TEXT]          hot-path benchmarks against allocation-budgets.json (CI)\n" +
        "  alloc-trace [--ops 20000] [--idle-seconds 5] [--no-types] [--windows K --window-ops N [--run-finalizers]]   where the embedded ingest benchmark allocates:\n" +
        "                                                 background B/s, B/op by thread, top types (AllocationTick)\n" +
        "  bench [filter]                                 the BenchmarkDotNet suites with the full default job\n" +
        "  load --scenario soak|burst|schema|lag|slots|saturation [options]   play the SPI and N PSPs against a running Pix,\n" +
        "                                                 report in a folder (--prometheus URL: the alerts' timeline;\n" +
        "                                                 --targets URL,URL...: several nodes)\n" +
        "  compare [options]                              pipeline vs aspnet mode, same load, table into docs/benchmarks.md\n" +
        "  reads [--modes ceiling,pipeline --storage memory,embedded --runs N | --targets URL,URL...]   stream reads/s of full\n" +
        "                                                 10-message batches, as a ratio to the ceiling, with wrk's figure beside it\n" +
        "  ingest [--parts 1|10 --connections 64 --modes ... --storage ... --runs N]   POSTs/s, same shape as reads\n" +
        "  ceiling [--listen 127.0.0.1:8090]              bare Kestrel replaying Pix's recorded 201 and 10-message 200\n" +
        "  flamegraph --in perf.txt --out x.svg --title T   a flame graph (SVG) and top frames from `perf script` output\n" +
        "  handshakes --certs DIR [--connections 8] [--duration 10] [--resume]   new mutual-TLS connections/s\n" +
        "  sample pacs.008|pacs.002|pacs.004|admi.002 --from ISPB --to ISPB [--unsigned] [--cert PEM [--key PEM]]\n" +
        "                                                 print a sample message, signed by the development or the given certificate\n" +
        "  certs --out DIR [--psps 2]                     a CA, the server and client certificates (SPI + PSPs) for mTLS\n" +
        "  bench-xml                                      MessageCheck vs XmlReader+XmlSchemaSet (run with -c Release)\n" +
        "  store-torture --data DIR --seed N              embedded-store crash driver (tests kill it)\n" +
        "  store-bench --data DIR [--recovery-messages N] [--recovery-payload B] [--recovery-runs N] [--recovery-keep]\n" +
        "              [--recovery-only] [--no-full-replay]   embedded-store ingest/read/recovery figures (recovery by phase)\n" +
        "  store-memory [--messages 1000000,5000000,10000000] [--queues 200]   RAM of the queue index per unacknowledged message\n" +
        "  store-capture [--messages 5000000,10000000] [--rounds 30]   one long queue: cost of a checkpoint's mark and of the\n" +
        "                                                 first change after it (append, claim+ack, move), RAM per message\n" +
        "  dedup --engine ours|rocksdb|faster|zonetree --keys N --dir DIR --out DIR   one dedup index candidate (docs/embedded-store.md)\n" +
        "  dedup-report --out DIR                         the dedup candidates' table and latency plot";

    private static async Task<int> Main(string[] args)
    {
        var command = args.Length > 0 ? args[0] : "";
        switch (command)
        {
            case "gate":
                return GateCommand.Run(args[1..]);
            case "alloc-trace":
                return AllocTraceCommand.Run(new CommandArguments(args));
            case "bench":
                return BenchCommand.Run(args[1..]);
            case "load":
                return await LoadCommand.RunAsync(args[1..]);
            case "compare":
                return await CompareCommand.RunAsync(args[1..]);
            case "reads":
                return await Reads.ClientSockets.RelaunchInlineAsync(args) ?? await ReadBenchCommand.RunAsync(new CommandArguments(args));
            case "ingest":
                return await Reads.ClientSockets.RelaunchInlineAsync(args) ?? await IngestBenchCommand.RunAsync(new CommandArguments(args));
            case "ceiling":
                return await CeilingCommand.RunAsync(new CommandArguments(args));
            case "flamegraph":
                return FlameGraphCommand.Run(new CommandArguments(args));
            case "certs":
                return CertsCommand.Run(new CommandArguments(args));
            case "handshakes":
                return await HandshakeBenchCommand.RunAsync(new CommandArguments(args));
            case "sample":
                return SampleCommand.Run(args[1..]);
            case "bench-xml":
                return XmlBenchCommand.Run(args[1..]);
            case "store-torture":
                return await StoreTortureCommand.RunAsync(new CommandArguments(args));
            case "dedup":
                return DedupBenchCommand.Run(new CommandArguments(args));
            case "dedup-report":
                return DedupReportCommand.Run(new CommandArguments(args));
            case "store-bench":
                return await StoreBenchCommand.RunAsync(new CommandArguments(args));
            case "store-memory":
                return StoreMemoryCommand.Run(new CommandArguments(args));
            case "store-capture":
                return StoreCaptureCommand.Run(new CommandArguments(args));
            default:
                await Console.Error.WriteLineAsync(Commands);
                return command is "" or "help" or "--help" ? 0 : 2;
        }
    }
}
