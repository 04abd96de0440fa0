using Pix.Bench.Commands;

namespace Pix.Bench;

internal static class Program
{
    private static int Main(string[] args) => args.FirstOrDefault() switch
    {
        "sample" => SampleCommand.Run(args[1..]),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine("usage: pix-bench " + SampleCommand.Usage);
        return 0;
    }
}
