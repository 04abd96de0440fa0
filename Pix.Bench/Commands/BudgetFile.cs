using System.Text.Json;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>allocation-budgets.json</c>: the bytes each benchmark may allocate per operation, keyed
/// <c>Suite.Method</c>, with a <c>why</c> wherever the budget is not zero. A budget gets <see cref="TolerancePercent"/>
/// on top (Garnet's +10 %), and at least <see cref="NoiseBytesPerOp"/>: BenchmarkDotNet forces a full GC before it
/// counts, which lets <c>ArrayPool.Shared</c> trim arrays that sat in its stacks for over a minute; refilling them
/// shows as 1 or 2 B/op late in a run. The smallest object is 24 B, so no allocation made on every request can
/// hide under 8 B/op, and the exact per-thread checks in Pix.Tests/Allocation catch the rest.
/// </summary>
internal sealed class BudgetFile
{
    public const string FileName = "allocation-budgets.json";

    public required IReadOnlyDictionary<string, long> Bytes { get; init; }
    public required IReadOnlyDictionary<string, string> Why { get; init; }
    public required double TolerancePercent { get; init; }
    public required long NoiseBytesPerOp { get; init; }

    public long Allowed(long budget) => budget + Math.Max((long)Math.Floor(budget * TolerancePercent / 100), NoiseBytesPerOp);

    /// <summary>Next to the binary (the build copies it there), else where the caller says.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, FileName);

    public static BudgetFile Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var root = document.RootElement;
        var bytes = new Dictionary<string, long>(StringComparer.Ordinal);
        var why = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in root.GetProperty("benchmarks").EnumerateObject())
        {
            bytes[entry.Name] = entry.Value.GetProperty("bytes").GetInt64();
            if (entry.Value.TryGetProperty("why", out var reason)) why[entry.Name] = reason.GetString() ?? "";
        }
        var tolerance = root.TryGetProperty("tolerancePercent", out var t) ? t.GetDouble() : 0;
        var noise = root.TryGetProperty("noiseBytesPerOp", out var n) ? n.GetInt64() : 0;
        return new BudgetFile { Bytes = bytes, Why = why, TolerancePercent = tolerance, NoiseBytesPerOp = noise };
    }
}
