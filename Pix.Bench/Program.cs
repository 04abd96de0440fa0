using Pix.Bench.Commands;

namespace Pix.Bench;

internal static class Program
{
    // One line per command; each command lives in Commands/.
    private static int Main(string[] args) => (args.Length > 0 ? args[0] : "") switch
    {
        "gate" => GateCommand.Run(args[1..]),
        "bench" => BenchCommand.Run(args[1..]),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine("usage: Pix.Bench gate [--budgets PATH] | bench [filter]");
        return 64;
    }
}
