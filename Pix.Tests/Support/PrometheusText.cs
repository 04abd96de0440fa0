using System.Globalization;

namespace Pix.Tests.Support;

/// <summary>Reads one sample out of a Prometheus text exposition (what the operator listener's /metrics serves).</summary>
internal static class PrometheusText
{
    /// <summary>The value of the first sample named <paramref name="name"/> whose labels include all of
    /// <paramref name="labels"/>; null when there is none.</summary>
    public static double? Value(string exposition, string name, params (string Key, string Value)[] labels)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal)) continue;
            var rest = line[name.Length..];
            if (rest.Length == 0 || (rest[0] != '{' && rest[0] != ' ')) continue;
            var labelText = rest[0] == '{' ? rest[1..rest.IndexOf('}')] : "";
            if (!labels.All(l => labelText.Contains($"{l.Key}=\"{l.Value}\"", StringComparison.Ordinal))) continue;
            var value = rest[(rest.LastIndexOf(' ') + 1)..].Trim();
            return double.Parse(value, CultureInfo.InvariantCulture);
        }
        return null;
    }
}
