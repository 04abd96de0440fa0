using System.Diagnostics.Tracing;

namespace Pix.Bench.Commands;

/// <summary>
/// Listens to the runtime's GC AllocationTick event (one sample each time about 100 KB has been allocated on a
/// thread's heap) and sums the sampled amounts by type and by thread. A sample names the type of the object that
/// crossed the threshold, so over a long run the shares approach each type's share of the bytes; a short run may
/// see few samples. The listener allocates its own event objects on the thread that allocated, which perturbs
/// totals: <see cref="AllocTraceCommand"/> counts bytes in a separate phase without it.
/// </summary>
internal sealed class AllocationTicks : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<(string Type, long Thread), long> _bytes = new();
    private bool _enabled;

    public IReadOnlyDictionary<(string Type, long Thread), long> Bytes
    {
        get
        {
            lock (_bytes) return new Dictionary<(string Type, long Thread), long>(_bytes);
        }
    }

    public void Start() => _enabled = true;

    public void Stop() => _enabled = false;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_enabled || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        var type = Field(e, "TypeName") as string ?? "?";
        var amount = Field(e, "AllocationAmount64") is { } big ? Convert.ToInt64(big, System.Globalization.CultureInfo.InvariantCulture)
            : Convert.ToInt64(Field(e, "AllocationAmount") ?? 0, System.Globalization.CultureInfo.InvariantCulture);
        lock (_bytes)
        {
            _bytes.TryGetValue((type, e.OSThreadId), out var sum);
            _bytes[(type, e.OSThreadId)] = sum + amount;
        }
    }

    private static object? Field(EventWrittenEventArgs e, string name)
    {
        var at = e.PayloadNames?.IndexOf(name) ?? -1;
        return at >= 0 ? e.Payload![at] : null;
    }
}
