using System.Globalization;
using System.Net;

namespace Pix.Bench.Load;

/// <summary>
/// <c>pix-bench load</c> options. A scenario sets defaults (soak: steady rate; burst: ramp to 2x; schema: a share of
/// invalid pacs.008); any option given on the command line wins.
/// </summary>
internal sealed class LoadOptions
{
    public string Scenario { get; set; } = "soak";
    private Uri _target = new("http://127.0.0.1:8080");
    private TargetList? _targets;

    /// <summary><c>--target</c>: one node (or the load balancer's address).</summary>
    public Uri Target
    {
        get => _target;
        set
        {
            _target = value;
            _targets = null;
        }
    }

    /// <summary><c>--targets</c>: several nodes; connections go round-robin over them. Defaults to <see cref="Target"/>.</summary>
    public TargetList Targets
    {
        get => _targets ??= new TargetList([_target]);
        set
        {
            _targets = value;
            _target = value.Uris[0];
        }
    }
    public Uri Admin { get; set; } = new("http://127.0.0.1:9090");
    public double DurationSeconds { get; set; } = 30;
    /// <summary>Messages per second the SPI offers (open loop); 0 runs closed loop, as fast as the producers get answers.</summary>
    public double Rate { get; set; } = 500;
    /// <summary>Burst: the rate at the end of the ramp, as a multiple of <see cref="Rate"/>.</summary>
    public double RampTo { get; set; } = 1;
    public int Psps { get; set; } = 200;
    public int StreamsMin { get; set; } = 4;
    public int StreamsMax { get; set; } = 6;
    public int BatchMax { get; set; } = 10;
    public int Producers { get; set; } = 32;
    public double GzipShare { get; set; } = 0.25;
    public double InvalidShare { get; set; }
    /// <summary>Share of stream lifetimes that end by walking away (the idle timeout closes them) instead of DELETE.</summary>
    public double AbandonShare { get; set; } = 0.1;
    public double LifetimeMinSeconds { get; set; } = 5;
    public double LifetimeMaxSeconds { get; set; } = 20;
    public double DrainSeconds { get; set; } = 40;
    public string? Output { get; set; }
    public bool Quiet { get; set; }
    public string RunId { get; set; } = NewRunId();

    /// <summary>Where the next connection goes.</summary>
    public IPEndPoint NextEndPoint() => Targets.Next();

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        var scenario = Value(args, "--scenario") ?? "soak";
        options.Scenario = scenario;
        switch (scenario)
        {
            case "soak":
                break;
            case "burst":
                options.Rate = 600;
                options.RampTo = 2;
                break;
            case "schema":
                // Pix isolates a sender above 0.5 % rejects by default, and that includes the SPI: run the server with
                // --Pix:Xml:IsolateAboveRatio above this share, or every later message is quarantined (the ledger fails).
                options.InvalidShare = 0.01;
                break;
            default:
                throw new ArgumentException($"Unknown scenario '{scenario}' (soak, burst, schema).");
        }
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : "";
            switch (args[i])
            {
                case "--target": options.Target = new Uri(value); break;
                case "--targets": options.Targets = TargetList.Parse(value); break;
                case "--admin": options.Admin = new Uri(value); break;
                case "--duration": options.DurationSeconds = Number(value); break;
                case "--rate": options.Rate = Number(value); break;
                case "--ramp-to": options.RampTo = Number(value); break;
                case "--psps": options.Psps = (int)Number(value); break;
                case "--streams-min": options.StreamsMin = (int)Number(value); break;
                case "--streams-max": options.StreamsMax = (int)Number(value); break;
                case "--batch-max": options.BatchMax = Math.Clamp((int)Number(value), 1, 10); break;
                case "--producers": options.Producers = (int)Number(value); break;
                case "--gzip-share": options.GzipShare = Number(value); break;
                case "--invalid-share": options.InvalidShare = Number(value); break;
                case "--abandon-share": options.AbandonShare = Number(value); break;
                case "--lifetime-min": options.LifetimeMinSeconds = Number(value); break;
                case "--lifetime-max": options.LifetimeMaxSeconds = Number(value); break;
                case "--drain": options.DrainSeconds = Number(value); break;
                case "--out": options.Output = value; break;
                case "--scenario" or "--quiet": break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unknown option {args[i]}.");
                    break;
            }
        }
        options.Quiet = args.Contains("--quiet");
        options.Validate();
        return options;
    }

    public void Validate()
    {
        // A load generator pointed elsewhere by mistake is a denial of service; this one only talks to this machine.
        if (Target.Host != "127.0.0.1" || Admin.Host != "127.0.0.1")
            throw new ArgumentException("pix-bench load only targets 127.0.0.1.");
        if (DurationSeconds is <= 0 or > 600) throw new ArgumentException("--duration must be in (0, 600] seconds.");
        if (StreamsMin < 1 || StreamsMax < StreamsMin) throw new ArgumentException("--streams-min/--streams-max are inconsistent.");
    }

    public string OutputFolder => Output ?? Path.Combine("bench-reports", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Scenario}-{RunId}");

    /// <summary>The offered rate <paramref name="seconds"/> into the run: flat, or a burst (a third at 1x, a third
    /// ramping, a third at <see cref="RampTo"/>x).</summary>
    public double RateAt(double seconds)
    {
        if (RampTo <= 1) return Rate;
        var third = DurationSeconds / 3;
        var factor = seconds < third ? 1 : seconds < 2 * third ? 1 + (RampTo - 1) * (seconds - third) / third : RampTo;
        return Rate * factor;
    }

    private static string? Value(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static string NewRunId()
    {
        const string letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return System.Security.Cryptography.RandomNumberGenerator.GetString(letters, 6);
    }
}
