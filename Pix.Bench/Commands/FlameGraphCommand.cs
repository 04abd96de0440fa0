using Pix.Bench.Profiles;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>flamegraph --in perf.txt --out graph.svg --title T [--subtitle S] [--micros-per-op N] [--top 40]</c>: folds the
/// output of <c>perf script</c> into an SVG flame graph and prints the frames with the largest inclusive and self
/// shares (in microseconds per operation when <c>--micros-per-op</c> gives the server CPU one operation cost).
/// </summary>
internal static class FlameGraphCommand
{
    public const string Usage = "flamegraph --in perf.txt --out graph.svg --title TEXT [--subtitle TEXT] [--micros-per-op N] [--top 40]";

    public static int Run(CommandArguments options)
    {
        FoldedStacks stacks;
        using (var reader = new StreamReader(options.Required("in"))) stacks = FoldedStacks.FromPerfScript(reader);
        var output = options.Required("out");
        using (var writer = new StreamWriter(output)) FlameGraphWriter.Write(stacks, options.Required("title"), options.Text("subtitle") ?? $"{stacks.Total:N0} samples", writer);
        var micros = options.Text("micros-per-op") is { } text ? double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var top = (int)options.Number("top", 40);
        Console.WriteLine($"{stacks.Total:N0} samples -> {output}");
        Print("inclusive", FlameGraphWriter.Inclusive(stacks, top), micros);
        Print("self", FlameGraphWriter.Self(stacks, top), micros);
        return 0;
    }

    private static void Print(string what, IEnumerable<(string Frame, double Share)> frames, double micros)
    {
        Console.WriteLine($"-- {what}");
        foreach (var (frame, share) in frames)
        {
            Console.WriteLine($"{share,7:P1}{(micros > 0 ? $" {share * micros,7:F2} µs" : "")}  {frame}");
        }
    }
}
