using Pix.Bench.Commands;

namespace Pix.Bench;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var command = args.Length > 0 ? args[0] : "";
        var options = new CommandLine(args);
        switch (command)
        {
            case "store-torture":
                return await StoreTortureCommand.RunAsync(options);
            case "store-bench":
                return await StoreBenchCommand.RunAsync(options);
            default:
                await Console.Error.WriteLineAsync("Commands: store-torture --data DIR --seed N | store-bench --data DIR [--recovery-messages N]");
                return 2;
        }
    }
}
