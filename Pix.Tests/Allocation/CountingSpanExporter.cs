using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace Pix.Tests.Allocation;

/// <summary>Keeps every span the OpenTelemetry SDK exports, so a test can count them and look at their parents.</summary>
internal sealed class CountingSpanExporter : BaseExporter<Activity>
{
    public ConcurrentQueue<Activity> Spans { get; } = new();

    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var span in batch) Spans.Enqueue(span);
        return ExportResult.Success;
    }
}
