using System.Diagnostics;
using Pix.Server.Http;

namespace Pix.Server.Telemetry;

/// <summary>
/// The <c>Pix</c> activity source and the sampling decision. Pix samples at the root of each ICOM request, with
/// probability <c>Pix:Telemetry:TraceSampling</c> drawn here, not from the client's <c>traceparent</c> flags: a client
/// that marks every request sampled cannot push Pix past its budget, and one that marks none cannot hide from it.
/// A sampled request continues the client's trace (same trace id, the client's span as parent). Spans below the root
/// start only under a sampled Pix request, so with no listener, or a request not drawn, nothing is created.
/// </summary>
internal sealed class PixTracing(double ratio)
{
    public const string SourceName = "Pix";
    public static readonly ActivitySource Source = new(SourceName);

    // Tags and span names are interned strings: a sampled request allocates its activities, nothing else per name.
    public const string PollFromProperty = "pix.long_poll.from";

    public double Ratio => ratio;

    /// <summary>The root span of one ICOM request, or null when the request is not sampled (the usual case).</summary>
    public Activity? StartRequest(HttpRequest request, string name)
    {
        if (ratio <= 0 || !Source.HasListeners() || Random.Shared.NextDouble() >= ratio) return null;
        TraceParent.TryParse(request.Header(KnownHeader.TraceParent), request.Header(KnownHeader.TraceState), out var parent);
        return Source.StartActivity(name, ActivityKind.Server, parent);
    }

    /// <summary>A span under the current Pix request span; null when there is none (not sampled, or outside a request).</summary>
    public static Activity? StartChild(string name) =>
        Activity.Current is { } current && ReferenceEquals(current.Source, Source) ? Source.StartActivity(name) : null;

    /// <summary>The span of writing a stream read's answer.</summary>
    public static Activity? StartResponseWrite()
    {
        if (Activity.Current is not { } current || !ReferenceEquals(current.Source, Source)) return null;
        // The engine reads again after every wait, so a mark still open here is the last empty read, not a wait.
        current.SetCustomProperty(PollFromProperty, null);
        return Source.StartActivity("stream.write");
    }

    /// <summary>
    /// A span for an operation that ends after the caller returns (an awaited store call handed back as a ValueTask):
    /// it is started as a child of the current request span, then the caller's current span is put back, so later
    /// spans of the request do not hang under it. Null when there is no sampled request.
    /// </summary>
    public static Activity? StartOperation(string name)
    {
        var current = Activity.Current;
        if (current is null || !ReferenceEquals(current.Source, Source)) return null;
        var span = Source.StartActivity(name);
        Activity.Current = current;
        return span;
    }

    /// <summary>
    /// The long-poll wait as a span: the store decorator marks when a read found nothing (the engine then parks unless
    /// the poll is over), and the engine reads again when the wait ends (woken or timed out): that read closes it.
    /// Under a millisecond the poll did not park (its deadline had passed, or an append came first): no span.
    /// </summary>
    public static void EndLongPoll(Activity request)
    {
        if (request.GetCustomProperty(PollFromProperty) is not DateTime from) return;
        request.SetCustomProperty(PollFromProperty, null);
        if (DateTime.UtcNow - from < TimeSpan.FromMilliseconds(1)) return;
        var current = Activity.Current;
        Source.StartActivity("stream.long_poll", ActivityKind.Internal, request.Context, startTime: from)?.Dispose();
        // Stopping a span whose parent was given as a context sets the current span to null: put it back.
        Activity.Current = current;
    }
}
