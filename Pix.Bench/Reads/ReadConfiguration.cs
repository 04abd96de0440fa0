namespace Pix.Bench.Reads;

/// <summary>One server configuration <c>reads</c> measures: the ceiling, or Pix with an HTTP layer and a store.</summary>
internal sealed record ReadConfiguration(string Http, string? Storage)
{
    public bool IsCeiling => Storage is null;

    public override string ToString() => IsCeiling ? "ceiling" : $"{Http}/{Storage}";

    /// <summary><c>--modes ceiling,pipeline --storage memory,embedded</c>: the ceiling first, then each mode with each store.</summary>
    public static IReadOnlyList<ReadConfiguration> Parse(string modes, string storages)
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
            }
        }
        return list;
    }
}
