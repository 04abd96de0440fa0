using System.Text.Json;
using System.Text.RegularExpressions;
using Pix.Bench.Load;
using Pix.Tests.Support;
using Xunit.Abstractions;

namespace Pix.Tests.Operations;

/// <summary>
/// The alert rules and the dashboard against a real Prometheus scraping a real Pix (embedded store). The rules are a
/// copy of <c>ops/alerts.yml</c> with seconds instead of minutes (and the lag and connection thresholds lowered); the
/// load generator's schema, lag, slots and saturation scenarios each raise their alert and let it clear, seen through
/// Prometheus's HTTP API and in each run's alert timeline. Then every dashboard query must parse and every panel
/// must show data for the running store.
/// </summary>
public sealed partial class PrometheusAlertTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ScenariosFireAndClearTheirAlertsAndEveryDashboardPanelHasData()
    {
        await using var pix = await PixServerProcess.StartAsync("embedded", null,
            ("Pix:Streams:LongPollSeconds", "1"), ("Pix:Streams:IdleTimeoutSeconds", "3"),
            ("Pix:RateLimit:Capacity", "100000"), ("Pix:RateLimit:RefillPerSecond", "100000"));
        await using var prometheus = await PrometheusServer.StartAsync(pix.AdminPort, Shortened(File.ReadAllText(Path.Combine(RepoPaths.Root, "ops", "alerts.yml"))));
        using var reports = new TempDirectory("pix-alert-reports");

        var runs = new[]
        {
            Scenario("schema", pix, prometheus, reports, o => { o.InvalidShare = 0.05; o.DurationSeconds = 8; }),
            Scenario("lag", pix, prometheus, reports, o => { o.StallInWindow = true; }),
            Scenario("slots", pix, prometheus, reports, o => { o.StreamsMin = o.StreamsMax = 6; o.ExtraStreams = 2; o.Psps = 3; }),
            Scenario("saturation", pix, prometheus, reports, o => { o.FloodConnections = 200; }),
        };
        var summaries = await Task.WhenAll(runs.Select(r => new LoadRun(r).RunAsync()));

        foreach (var summary in summaries)
        {
            foreach (var a in summary.Alerts ?? []) output.WriteLine($"{summary.Scenario}: {a}");
            Assert.True(summary.Ledger.Lost == 0, $"{summary.Scenario} lost {summary.Ledger.Lost} messages");
            var alert = Assert.Single(summary.Alerts!, a => a.Alert == summary.ExpectedAlert);
            Assert.True(alert.FiringAt is not null, $"{summary.ExpectedAlert} never fired in the {summary.Scenario} run");
            Assert.True(alert.ResolvedAt > alert.FiringAt, $"{summary.ExpectedAlert} did not resolve in the {summary.Scenario} run");
            Assert.Contains("## Alerts on the timeline", File.ReadAllText(Path.Combine(reports.Path, summary.Scenario, "report.md")));
        }

        // Straight from the API: both fired during the runs and none is active now.
        foreach (var name in new[] { "PixSchemaRejects", "PixDeliveryLag" })
        {
            using var fired = await prometheus.QueryAsync($"max_over_time(ALERTS{{alertname=\"{name}\",alertstate=\"firing\"}}[10m])");
            Assert.True(fired.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() > 0, $"{name} never fired");
        }
        var active = await prometheus.AlertsAsync();
        Assert.DoesNotContain(active, a => a.Name is "PixSchemaRejects" or "PixDeliveryLag");

        // Every rule evaluates without error on real series.
        using (var rules = await prometheus.ApiAsync("/api/v1/rules"))
        {
            var loaded = rules.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
                .SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
            Assert.Equal(AlertRuleTests.RuleNames(File.ReadAllText(Path.Combine(RepoPaths.Root, "ops", "alerts.yml"))).Count, loaded.Count);
            Assert.All(loaded, r => Assert.Equal("ok", r.GetProperty("health").GetString()));
        }

        // The dashboard: every query parses, and every panel shows data for this node (embedded store, TLS off), except
        // the panels of other setups, whose series MutualTlsTests and RedisOutageDrill check on /metrics, and the
        // regions panels, whose series only a node with Pix:Region has (RegionFailoverDrill reads them from one).
        string[] otherSetups = ["Redis round trip (slowest primary)", "TLS handshakes by outcome", "Certificate expiry"];
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "ops", "grafana", "pix.json")));
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            var title = panel.GetProperty("title").GetString();
            var regionsOnly = title!.StartsWith("Regions:", StringComparison.Ordinal);
            var series = 0;
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var expr = target.GetProperty("expr").GetString()!.Replace("$__rate_interval", "2m").Replace("$instance", ".*");
                using var result = await prometheus.QueryAsync(expr);
                Assert.True(result.RootElement.GetProperty("status").GetString() == "success", $"panel '{title}': {expr} failed: {result.RootElement}");
                series += result.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
            }
            Assert.True(series > 0 || regionsOnly || otherSetups.Contains(title), $"panel '{title}' has no data");
        }
    }

    private static LoadOptions Scenario(string name, PixServerProcess pix, PrometheusServer prometheus, TempDirectory reports, Action<LoadOptions> configure)
    {
        var options = new LoadOptions
        {
            Scenario = name,
            Target = new Uri($"http://127.0.0.1:{pix.Port}"),
            Admin = new Uri($"http://127.0.0.1:{pix.AdminPort}"),
            Prometheus = prometheus.Address,
            DurationSeconds = 14,
            WindowFromSeconds = 2,
            WindowSeconds = 6,
            Rate = 40,
            Psps = 4,
            StreamsMin = 2,
            StreamsMax = 3,
            Producers = 4,
            LifetimeMinSeconds = 1,
            LifetimeMaxSeconds = 3,
            AbandonShare = 0,
            DrainSeconds = 20,
            SettleSeconds = 40,
            Quiet = true,
            Output = Path.Combine(reports.Path, name),
        };
        configure(options);
        options.Validate();
        return options;
    }

    /// <summary>The shipped rules on a test's time scale: every <c>for</c> one second, every window five seconds, the
    /// lag threshold 2 s instead of 45 s, the connection budget 150 instead of 4,000.</summary>
    internal static string Shortened(string rules)
    {
        rules = ForClause().Replace(rules, "for: 1s");
        rules = RangeWindow().Replace(rules, "[5s]");
        rules = rules.Replace("pix_queue_oldest_unacknowledged_age_seconds) > 45", "pix_queue_oldest_unacknowledged_age_seconds) > 2");
        rules = rules.Replace("kestrel_active_connections{job=\"pix\"}) > 4000", "kestrel_active_connections{job=\"pix\"}) > 150");
        Assert.Contains("> 2\n", rules);
        Assert.Contains("> 150\n", rules);
        return rules;
    }

    [GeneratedRegex(@"for: \d+[smh]")]
    private static partial Regex ForClause();

    [GeneratedRegex(@"\[\d+[smh]\]")]
    private static partial Regex RangeWindow();
}
