using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Pix.Bench.Reads;

/// <summary>
/// wrk (<c>/usr/bin/wrk</c>, one thread, pinned to the client core) against the same URL with the same number of
/// connections and the same request head as <c>reads</c>: the yardstick that says whether our client hides the server.
/// </summary>
internal static partial class WrkRun
{
    public const string DefaultPath = "/usr/bin/wrk";

    public static async Task<(double RequestsPerSecond, double ClientCpuShare, string Output)?> RunAsync(
        string wrk, Uri url, int connections, TimeSpan duration, int cpu, (byte[] Body, string ContentType)? post = null)
    {
        if (!File.Exists(wrk)) return null;
        string? script = null;
        if (post is { } p)
        {
            // The same POST every time: the ceiling answers any POST alike, so wrk needs no new ids.
            var body = Path.GetTempFileName();
            await File.WriteAllBytesAsync(body, p.Body);
            script = Path.GetTempFileName();
            await File.WriteAllTextAsync(script, $"wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"{p.ContentType}\"\n"
                + $"local f = io.open(\"{body}\", \"rb\")\nwrk.body = f:read(\"*a\")\nf:close()\n");
        }
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // sh's `times` prints the CPU time of its children (wrk) once wrk has exited.
        foreach (var arg in (string[])["-c", cpu.ToString(CultureInfo.InvariantCulture), "sh", "-c", "\"$0\" \"$@\"; times", wrk, "-t1", $"-c{connections}",
                     $"-d{Math.Max(1, (int)duration.TotalSeconds)}s", "--latency", "-H", "Accept: multipart/mixed", url.ToString()])
        {
            info.ArgumentList.Add(arg);
        }
        if (script is not null)
        {
            info.ArgumentList.Add("-s");
            info.ArgumentList.Add(script);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output + await errors;
        var match = RequestsPerSecond().Match(text);
        if (!match.Success) throw new InvalidOperationException("wrk printed no Requests/sec:\n" + text);
        var times = ChildTimes().Matches(text);
        var cpuSeconds = times.Count < 4 ? double.NaN : Seconds(times[^2]) + Seconds(times[^1]);
        return (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), cpuSeconds / duration.TotalSeconds, text);
    }

    private static double Seconds(Match m) =>
        int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 60 + double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(\d+)m([0-9.]+)s")]
    private static partial Regex ChildTimes();

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();
}
