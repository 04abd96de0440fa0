namespace Pix.Bench.Reads;

/// <summary>One server configuration <c>reads</c> measures: the ceiling, or Pix with an HTTP layer and a store, plain
/// (HTTP, no signature checks: the ratios) or <see cref="Production"/> (mutual TLS and signed messages verified,
/// the defaults Pix ships with).</summary>
internal sealed record ReadConfiguration(string Http, string? Storage, bool Production = false)
{
    public bool IsCeiling => Storage is null;

    public override string ToString() => IsCeiling ? "ceiling" : $"{Http}/{Storage}" + (Production ? " mTLS+signed" : "");

    /// <summary><c>--modes ceiling,pipeline --storage memory,embedded</c>: the ceiling first, then each mode with each
    /// store; with <paramref name="production"/>, each of those followed by its production-default twin.</summary>
    public static IReadOnlyList<ReadConfiguration> Parse(string modes, string storages, bool production = false)
    {
        var list = new List<ReadConfiguration>();
        foreach (var mode in modes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (mode == "ceiling")
            {
                list.Insert(0, new ReadConfiguration("ceiling", null));
                continue;
            }
            if (mode is not ("pipeline" or "aspnet")) throw new ArgumentException($"Unknown mode {mode}: ceiling, pipeline or aspnet.");
            foreach (var storage in storages.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (storage is not ("memory" or "embedded")) throw new ArgumentException($"Unknown storage {storage}: memory or embedded.");
                list.Add(new ReadConfiguration(mode, storage));
                if (production) list.Add(new ReadConfiguration(mode, storage, Production: true));
            }
        }
        return list;
    }
}
