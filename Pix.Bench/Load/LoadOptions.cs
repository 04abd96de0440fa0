using System.Globalization;
using System.Net;

namespace Pix.Bench.Load;

/// <summary>
/// <c>pix-bench load</c> options. A scenario sets defaults (soak: steady rate; burst: ramp to 2x; schema: a share of
/// invalid pacs.008; lag, slots, saturation: a pressure window that raises their alert, then lets it clear); any
/// option given on the command line wins.
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
    public Uri Admin { get; set; } = new("http://127.0.0.1:9464");
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
    /// <summary>How long past its allowance a request may hang before the run cuts every stream: the streams' hard stop
    /// is the duration plus the drain plus this, and is re-armed to the drain plus this when the drain starts.</summary>
    public double HardStopGraceSeconds { get; set; } = 30;
    /// <summary>Lag, slots, saturation: when the pressure starts (seconds after the producer starts) and how long it lasts.</summary>
    public double WindowFromSeconds { get; set; }
    public double WindowSeconds { get; set; }
    /// <summary>Lag: every PSP stream stops reading while the window is open.</summary>
    public bool StallInWindow { get; set; }
    /// <summary>Slots: streams per PSP, beyond the ones that fill its slots, that ask for a slot while the window is open.</summary>
    public int ExtraStreams { get; set; }
    /// <summary>Saturation: idle connections held open to the ICOM port while the window is open.</summary>
    public int FloodConnections { get; set; }
    /// <summary>A Prometheus (loopback) that scrapes the node and evaluates ops/alerts.yml: the report shows the alerts' timeline.</summary>
    public Uri? Prometheus { get; set; }
    /// <summary>After the drain, how long to wait for the scenario's alert to resolve before reading the timeline.</summary>
    public double SettleSeconds { get; set; }
    /// <summary>The folder <c>ops/regions/start.sh</c> wrote (<c>regions.env</c>): clients follow their region (failover
    /// needs it; any other scenario may run on two regions with it).</summary>
    public string? RegionsState { get; set; }
    /// <summary>Failover: the deployment and the clients' shared view of which region answers.</summary>
    public RegionRoutes? Routes { get; set; }
    /// <summary>Failover: how long a request waits before its region counts as silent (must exceed the long poll).</summary>
    public double ReadTimeoutSeconds { get; set; } = 8;
    /// <summary>Failover: <c>dr watch --after</c>.</summary>
    public double WatchAfterSeconds { get; set; } = 2;
    public string? Output { get; set; }
    public bool Quiet { get; set; }
    public string RunId { get; set; } = NewRunId();
    /// <summary><c>--certs DIR</c>: speak mutual TLS with the certificate set in DIR (null: plain HTTP, the server in off mode).</summary>
    public ClientTls? Tls { get; set; }

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
                // The SPI is never isolated, so its invalid messages are quarantined one by one and the rest flows.
                options.InvalidShare = 0.01;
                break;
            case "lag":
                // Streams stop reading for 150 s: the oldest message ages past 45 s for more than the rule's minute.
                options.Rate = 200;
                options.Psps = 20;
                options.DurationSeconds = 300;
                options.WindowFromSeconds = 30;
                options.WindowSeconds = 150;
                options.StallInWindow = true;
                options.SettleSeconds = 120;
                break;
            case "slots":
                // Every PSP fills its six slots and two more streams keep asking: 429 slots for longer than the rule's
                // 10 minutes over a 5-minute rate.
                options.Rate = 100;
                options.Psps = 5;
                options.StreamsMin = options.StreamsMax = 6;
                options.ExtraStreams = 2;
                options.DurationSeconds = 1080;
                options.WindowFromSeconds = 60;
                options.WindowSeconds = 840;
                options.SettleSeconds = 420;
                break;
            case "saturation":
                // More open connections than the node's budget (PixConnectionsHigh: 4,000) for three minutes.
                options.Rate = 200;
                options.Psps = 20;
                options.DurationSeconds = 300;
                options.WindowFromSeconds = 30;
                options.WindowSeconds = 180;
                options.FloodConnections = 4500;
                options.SettleSeconds = 180;
                break;
            case "failover":
                // The region drill under load: region A (the SPI's home) is frozen 15 s after the producer starts,
                // dr watch moves it to B, A is thawed 20 s later (once B served a PSP of A) and dr failback returns it; the run goes on to 60 s.
                options.Rate = 200;
                options.Psps = 8;
                options.StreamsMin = options.StreamsMax = 6;
                options.AbandonShare = 0;
                options.LifetimeMinSeconds = options.LifetimeMaxSeconds = 1000;
                options.DurationSeconds = 60;
                options.WindowFromSeconds = 15;
                options.WindowSeconds = 20;
                break;
            default:
                throw new ArgumentException($"Unknown scenario '{scenario}' (soak, burst, schema, lag, slots, saturation, failover).");
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
                case "--window-from": options.WindowFromSeconds = Number(value); break;
                case "--window": options.WindowSeconds = Number(value); break;
                case "--extra-streams": options.ExtraStreams = (int)Number(value); break;
                case "--flood-connections": options.FloodConnections = (int)Number(value); break;
                case "--prometheus": options.Prometheus = new Uri(value); break;
                case "--settle": options.SettleSeconds = Number(value); break;
                case "--regions-state": options.RegionsState = value; break;
                case "--read-timeout": options.ReadTimeoutSeconds = Number(value); break;
                case "--watch-after": options.WatchAfterSeconds = Number(value); break;
                case "--certs": options.Tls = new ClientTls(value); break;
                case "--scenario" or "--quiet": break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unknown option {args[i]}.");
                    break;
            }
        }
        options.Quiet = args.Contains("--quiet");
        if (scenario == "failover" && options.RegionsState is null)
            throw new ArgumentException("--scenario failover needs --regions-state DIR (written by ops/regions/start.sh).");
        if (options.RegionsState is not null)
        {
            // Any scenario on two regions: clients follow their region; only failover freezes one.
            var plan = RegionPlan.Load(options.RegionsState);
            options.Routes = new RegionRoutes(plan, TimeSpan.FromSeconds(options.ReadTimeoutSeconds));
            options.Targets = new TargetList(plan.Ring.Names.Select(plan.Url).ToList());
            options.Admin = plan.Admin(plan.Home(MessageFactory.Spi));
        }
        options.Validate();
        return options;
    }

    public void Validate()
    {
        // A load generator pointed elsewhere by mistake is a denial of service; this one only talks to this machine.
        if (Target.Host != "127.0.0.1" || Admin.Host != "127.0.0.1" || (Prometheus is not null && Prometheus.Host != "127.0.0.1"))
            throw new ArgumentException("pix-bench load only talks to 127.0.0.1.");
        // The slots scenario needs its alert's 10 minutes and a soak its hour; no run goes past that.
        if (DurationSeconds is <= 0 or > 3600) throw new ArgumentException("--duration must be in (0, 3600] seconds.");
        if (SettleSeconds is < 0 or > 900) throw new ArgumentException("--settle must be in [0, 900] seconds.");
        if (StreamsMin < 1 || StreamsMax < StreamsMin) throw new ArgumentException("--streams-min/--streams-max are inconsistent.");
    }

    /// <summary>The alert the scenario is built to raise and clear (the report's timeline marks it).</summary>
    public string? ExpectedAlert => Scenario switch
    {
        "lag" => "PixDeliveryLag",
        "slots" => "PixSlotExhaustion",
        "saturation" => "PixConnectionsHigh",
        "schema" => "PixSchemaRejects",
        _ => null,
    };

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
