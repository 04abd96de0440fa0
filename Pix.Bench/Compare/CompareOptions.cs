using System.Globalization;

namespace Pix.Bench.Compare;

/// <summary><c>pix-bench compare</c> options.</summary>
internal sealed class CompareOptions
{
    public double DurationSeconds { get; set; } = 15;
    public double FixedRate { get; set; } = 1000;
    public int Psps { get; set; } = 50;
    public int Producers { get; set; } = 32;
    public string Storage { get; set; } = "memory";
    public string Docs { get; set; } = Path.Combine("docs", "benchmarks.md");
    public string Output { get; set; } = Path.Combine("bench-reports", $"compare-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
    public string[] Modes { get; set; } = ["pipeline", "aspnet"];
    public int ServerCpu { get; set; }
    public int ClientCpu { get; set; } = 1;

    public static CompareOptions Parse(string[] args)
    {
        var options = new CompareOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : "";
            switch (args[i])
            {
                case "--duration": options.DurationSeconds = Math.Min(60, double.Parse(value, CultureInfo.InvariantCulture)); break;
                case "--fixed-rate": options.FixedRate = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--psps": options.Psps = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--producers": options.Producers = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--storage": options.Storage = value; break;
                case "--docs": options.Docs = value; break;
                case "--out": options.Output = value; break;
                case "--modes": options.Modes = value.Split(','); break;
                case "--server-cpu": options.ServerCpu = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--client-cpu": options.ClientCpu = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--scenario" or "--quiet": break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unknown option {args[i]}.");
                    break;
            }
        }
        return options;
    }
}
