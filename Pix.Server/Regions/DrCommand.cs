using Microsoft.Extensions.Configuration;
using Pix.Protocol.Ids;
using Pix.Server.Hosting;
using Pix.Storage.Redis;
using Pix.Storage.Regions;

namespace Pix.Server.Regions;

/// <summary>
/// <c>Pix.Server dr status|failover|failback|assign|watch</c>: the disaster-recovery controller, reading the same
/// configuration as a node (appsettings.json, <c>Pix__*</c> environment, <c>--Pix:...</c> switches): <c>Pix:Regions</c>,
/// <c>Pix:RegionRedis:{region}</c> (each region's Redis nodes), <c>Pix:RegionNodes:{region}</c> (each region's Pix
/// operator URLs, for <c>watch</c>), <c>Pix:DataDir</c> (the audit file). Exit code 0 when done, 1 when a step failed
/// (run it again: every step is idempotent), 2 for a usage error. See docs/regions.md.
/// </summary>
internal static class DrCommand
{
    public const string Usage = """
        usage: Pix.Server dr status
               Pix.Server dr failover --from REGION --to REGION
               Pix.Server dr failback --region REGION
               Pix.Server dr assign --ispb ISPB --to REGION|default
               Pix.Server dr watch [--after SECONDS]
        with --Pix:Regions a,b --Pix:RegionRedis:a host:port,... --Pix:RegionRedis:b ... [--Pix:RegionNodes:a http://op,...] [--data DIR]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var verb = args[1];
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args[2..], PixOptions.Switches)
            .Build();
        var options = configuration.GetSection("Pix").Get<PixOptions>() ?? new PixOptions();
        RegionRing ring;
        try
        {
            ring = RegionRing.Parse(options.Regions);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{e.Message}\n{Usage}");
            return 2;
        }
        var regionRedis = Lists(options.RegionRedis);
        var seeds = regionRedis.Values.SelectMany(v => v).Concat(Split(options.Redis.Configuration).Where(s => !s.Contains('='))).ToList();
        if (seeds.Count == 0)
        {
            Console.Error.WriteLine($"Give each region's Redis nodes (Pix:RegionRedis:{{region}}).\n{Usage}");
            return 2;
        }
        var audit = new DrAudit(Path.Combine(Path.GetFullPath(options.DataDir), "audit", "dr.jsonl"), Console.Out);
        await using var redis = await DrRedis.ConnectAsync(seeds);
        var controller = new DrController(redis, ring, regionRedis, audit, Console.Out);
        try
        {
            switch (verb)
            {
                case "status":
                    await controller.StatusAsync();
                    return 0;
                case "failover":
                    await controller.FailoverAsync(Required(configuration, "from"), Required(configuration, "to"));
                    return 0;
                case "failback":
                    await controller.FailbackAsync(Required(configuration, "region"));
                    return 0;
                case "assign":
                    var to = Required(configuration, "to");
                    await controller.AssignAsync(Ispb.Parse(Required(configuration, "ispb")), to == "default" ? null : to);
                    return 0;
                case "watch":
                    using (var stop = new CancellationTokenSource())
                    {
                        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
                        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
                        {
                            c.Cancel = true;
                            stop.Cancel();
                        });
                        OwnershipMap? map = null;
                        try
                        {
                            map = await new RedisRegionMap(redis.Multiplexer, ring).LoadAsync();
                        }
                        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
                        {
                            audit.Step("watch.map-unreadable", e.Message);
                        }
                        var after = TimeSpan.FromSeconds(double.Parse(configuration["after"] ?? "5", System.Globalization.CultureInfo.InvariantCulture));
                        await new DrWatch(controller, redis, ring, regionRedis, Lists(options.RegionNodes), audit, map).RunAsync(after, stop.Token);
                    }
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown dr command '{verb}'.\n{Usage}");
                    return 2;
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{e.Message}\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is InvalidOperationException or StackExchange.Redis.RedisException or TimeoutException or FormatException)
        {
            audit.Step("failed", $"{verb}: {e.Message} (every step is idempotent: run the command again)");
            return 1;
        }
    }

    private static string Required(IConfiguration configuration, string name) =>
        configuration[name] is { Length: > 0 } value ? value : throw new ArgumentException($"dr needs --{name}.");

    private static Dictionary<string, string[]> Lists(Dictionary<string, string> settings) =>
        settings.ToDictionary(s => s.Key, s => Split(s.Value), StringComparer.Ordinal);

    private static string[] Split(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
