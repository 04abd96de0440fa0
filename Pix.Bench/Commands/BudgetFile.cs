using System.Text.Json;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>allocation-budgets.json</c>: the bytes each benchmark may allocate per operation, keyed
/// <c>Suite.Method</c>, with a <c>why</c> wherever the budget is not zero. A non-zero budget gets
/// <see cref="TolerancePercent"/> on top (Garnet's +10 %), since such allocations can vary a little by run.
/// </summary>
internal sealed class BudgetFile
{
    public const string FileName = "allocation-budgets.json";

    public required IReadOnlyDictionary<string, long> Bytes { get; init; }
    public required IReadOnlyDictionary<string, string> Why { get; init; }
    public required double TolerancePercent { get; init; }

    public long Allowed(long budget) => budget + (long)Math.Floor(budget * TolerancePercent / 100);

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
        return new BudgetFile { Bytes = bytes, Why = why, TolerancePercent = tolerance };
    }
}
