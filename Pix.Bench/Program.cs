using Pix.Bench.Commands;

namespace Pix.Bench;

internal static class Program
{
    private static int Main(string[] args) => args.FirstOrDefault() switch
    {
        "sample" => SampleCommand.Run(args[1..]),
        "bench-xml" => XmlBenchCommand.Run(args[1..]),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine("usage: pix-bench " + SampleCommand.Usage + "\n       pix-bench bench-xml   (with -c Release)");
        return 0;
    }
}
