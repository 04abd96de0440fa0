using System.Text.RegularExpressions;

namespace Pix.Bench.Profiles;

/// <summary>
/// Samples of <c>perf script</c> folded into stacks (root first) with counts. The root frame is the thread's name
/// (<c>.NET TP Worker</c>, <c>.NET Sockets</c>, ...), so hops between threads show as separate towers. Offsets and the
/// JIT's tier suffixes are cut, so one method is one frame whatever tier ran it.
/// </summary>
internal sealed partial class FoldedStacks
{
    public Dictionary<string, long> Counts { get; } = new();
    public long Total { get; private set; }

    public static FoldedStacks FromPerfScript(TextReader reader)
    {
        var folded = new FoldedStacks();
        var frames = new List<string>();
        string? thread = null;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0)
            {
                folded.Add(thread, frames);
                frames.Clear();
                thread = null;
                continue;
            }
            if (!char.IsWhiteSpace(line[0]))
            {
                // "comm pid/tid [cpu] time: period event:": the comm may hold spaces; it ends before the pid.
                var header = Header().Match(line);
                thread = header.Success ? header.Groups[1].Value.Trim() : line.Split(' ')[0];
                continue;
            }
            frames.Add(Frame(line.Trim()));
        }
        folded.Add(thread, frames);
        return folded;
    }

    private void Add(string? thread, List<string> frames)
    {
        if (thread is null) return;
        // perf prints the leaf first.
        frames.Reverse();
        var key = thread + (frames.Count > 0 ? ";" + string.Join(';', frames) : "");
        Counts[key] = Counts.GetValueOrDefault(key) + 1;
        Total++;
    }

    /// <summary>"addr symbol+0xoff (dso)" to a frame name: the symbol, or the library for an unknown one.</summary>
    private static string Frame(string line)
    {
        var space = line.IndexOf(' ');
        var rest = space < 0 ? line : line[(space + 1)..];
        var dsoAt = rest.LastIndexOf(" (", StringComparison.Ordinal);
        var symbol = dsoAt < 0 ? rest : rest[..dsoAt];
        var dso = dsoAt < 0 ? "" : rest[(dsoAt + 2)..].TrimEnd(')');
        symbol = Offset().Replace(symbol, "");
        symbol = Tier().Replace(symbol, "");
        if (symbol is "[unknown]" or "") symbol = "[" + Path.GetFileName(dso) + "]";
        if (dso.Contains("kernel", StringComparison.Ordinal)) symbol += "_[k]";
        return symbol.Replace(';', ',');
    }

    [GeneratedRegex(@"^(.+?)\s+\d+(?:/\d+)?\s+(?:\[\d+\]\s+)?\d+\.\d+:")]
    private static partial Regex Header();

    [GeneratedRegex(@"\+0x[0-9a-f]+$")]
    private static partial Regex Offset();

    [GeneratedRegex(@"\[(?:OptimizedTier1|Optimized|Tier0|Tier1|QuickJitted|PreJIT|Instrumented[A-Za-z0-9]*|OptimizedTier1OSR|Tier1-OSR)\]$")]
    private static partial Regex Tier();
}
