using Pix.Bench.Commands;

namespace Pix.Bench;

/// <summary>pix-bench: one command per file under Commands/; this only dispatches on the first argument.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "load":
                return await LoadCommand.RunAsync(args[1..]);
            case "compare":
                return await CompareCommand.RunAsync(args[1..]);
            default:
                Console.Error.WriteLine("usage: pix-bench load|compare [options]");
                return 2;
        }
    }
}
