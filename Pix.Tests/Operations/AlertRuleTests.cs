using System.Text.Json;
using System.Text.RegularExpressions;
using Pix.Tests.Support;

namespace Pix.Tests.Operations;

/// <summary>
/// The alert rules as Prometheus's own tool sees them: <c>promtool check rules</c> accepts them, <c>promtool test
/// rules</c> passes the unit tests, every rule has a firing and a cleared case there and a runbook page that exists,
/// and every dashboard panel has a query. promtool comes with Debian's prometheus package (.ci/run installs it).
/// </summary>
public sealed partial class AlertRuleTests
{
    private static string Ops => Path.Combine(RepoPaths.Root, "ops");

    [Fact]
    public void PromtoolAcceptsTheRules()
    {
        var (code, output) = Promtool($"check rules {Path.Combine(Ops, "alerts.yml")}");
        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS", output);
    }

    [Fact]
    public void EveryRuleFiresAndClearsInThePromtoolUnitTests()
    {
        var (code, output) = Promtool($"test rules {Path.Combine(Ops, "alerts.test.yml")}");
        Assert.True(code == 0, output);

        var rules = RuleNames(File.ReadAllText(Path.Combine(Ops, "alerts.yml")));
        var (firing, cleared) = TestCases(File.ReadLines(Path.Combine(Ops, "alerts.test.yml")).ToList());
        Assert.True(rules.Count >= 14, $"only {rules.Count} rules");
        foreach (var rule in rules)
        {
            Assert.True(firing.Contains(rule), $"{rule} has no case in alerts.test.yml where it fires");
            Assert.True(cleared.Contains(rule), $"{rule} has no case in alerts.test.yml where it is cleared");
        }
    }

    [Fact]
    public void EveryRuleNamesAnExistingRunbookAndEveryPlaybookHasAPage()
    {
        var text = File.ReadAllText(Path.Combine(Ops, "alerts.yml"));
        var rules = RuleNames(text);
        var urls = RunbookUrl().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(rules.Count, urls.Count);
        foreach (var url in urls) Assert.True(File.Exists(Path.Combine(RepoPaths.Root, url)), $"runbook {url} does not exist");
        foreach (var page in new[] { "backlog", "cache-loss", "storage-partial-outage", "lb-saturation", "schema-storm", "disk-full", "store-corruption", "certificate-expiry" })
        {
            var path = Path.Combine(RepoPaths.Root, "docs", "runbooks", page + ".md");
            Assert.True(File.Exists(path), $"no runbook {page}.md");
            var body = File.ReadAllText(path);
            foreach (var section in new[] { "## What fires", "## What it means for PSPs", "## What to look at", "## What to do", "## How to know it is over" })
                Assert.Contains(section, body);
        }
    }

    [Fact]
    public void TheDashboardIsGrafanaJsonWithAQueryInEveryPanel()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Ops, "grafana", "pix.json")));
        var root = dashboard.RootElement;
        Assert.Equal("Pix", root.GetProperty("title").GetString());
        Assert.Equal("DS_PROMETHEUS", root.GetProperty("__inputs")[0].GetProperty("name").GetString());
        var titles = new List<string>();
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
        {
            titles.Add(panel.GetProperty("title").GetString()!);
            Assert.Contains(panel.GetProperty("targets").EnumerateArray(), t => !string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString()));
        }
        foreach (var wanted in new[] { "Requests by route and status", "Latency p50 / p99 by route", "Delivery lag by ISPB (top 10)", "Backlog by ISPB (top 10)",
                     "429s by cause", "Quarantine share", "Stream slots in use", "Storage health", "fsync: durable append latency", "Connections", "Draining",
                     "Redis round trip (slowest primary)", "TLS handshakes by outcome", "Certificate expiry" })
            Assert.Contains(wanted, titles);
    }

    internal static (int Code, string Output) Promtool(string arguments)
    {
        Assert.True(File.Exists("/usr/bin/promtool"), "promtool is missing: apt-get install prometheus (.ci/run does)");
        return Shell.Run("promtool", arguments);
    }

    internal static List<string> RuleNames(string rules) => AlertName().Matches(rules).Select(m => m.Groups[1].Value).ToList();

    private static (HashSet<string> Firing, HashSet<string> Cleared) TestCases(List<string> lines)
    {
        var firing = new HashSet<string>();
        var cleared = new HashSet<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            var name = TestAlertName().Match(lines[i]);
            if (!name.Success) continue;
            var expected = lines.Skip(i + 1).First(l => l.TrimStart().StartsWith("exp_alerts:", StringComparison.Ordinal));
            (expected.Contains("[]", StringComparison.Ordinal) ? cleared : firing).Add(name.Groups[1].Value);
        }
        return (firing, cleared);
    }

    [GeneratedRegex(@"^\s*- alert: (\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AlertName();

    [GeneratedRegex(@"^\s*alertname: (\w+)\s*$")]
    private static partial Regex TestAlertName();

    [GeneratedRegex(@"runbook_url: (\S+)")]
    private static partial Regex RunbookUrl();
}
