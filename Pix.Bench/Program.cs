using Pix.Bench.Commands;

namespace Pix.Bench;

internal static class Program
{
    private const string Commands =
        "Commands:\n" +
        "  sample pacs.008|pacs.002|pacs.004 --from ISPB --to ISPB   print a signed sample message\n" +
        "  store-torture --data DIR --seed N                          embedded-store crash driver (tests kill it)\n" +
        "  store-bench --data DIR [--recovery-messages N]             embedded-store ingest/read/recovery figures";

    private static async Task<int> Main(string[] args)
    {
        var command = args.Length > 0 ? args[0] : "";
        switch (command)
        {
            case "sample":
                return SampleCommand.Run(args[1..]);
            case "store-torture":
                return await StoreTortureCommand.RunAsync(new CommandLine(args));
            case "store-bench":
                return await StoreBenchCommand.RunAsync(new CommandLine(args));
            default:
                await Console.Error.WriteLineAsync(Commands);
                return command is "" or "help" or "--help" ? 0 : 2;
        }
    }
}
