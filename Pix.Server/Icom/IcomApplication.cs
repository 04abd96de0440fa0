using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.ObjectPool;
using Pix.Protocol.Problems;
using Pix.Protocol.Routing;
using Pix.Storage.Async;
using Pix.Server.Health;
using Pix.Server.Http;
using Pix.Server.Identity;
using Pix.Server.Ingest;
using Pix.Server.Telemetry;
using Pix.Storage;
using Pix.Storage.Regions;

namespace Pix.Server.Icom;

/// <summary>
/// The ICOM endpoints behind our HTTP/1.1 layer: matches the route on the raw path bytes, admits the caller for the
/// ISPB in the path (<see cref="IcomAccess"/>: identity and authorization, here so no endpoint has to remember it),
/// checks the method, and hands the request to ingest or to the stream endpoints with a pooled <see cref="IcomExchange"/>.
/// While the node drains, new streams are refused (503) and every response closes its connection, so clients move elsewhere.
/// </summary>
internal sealed class IcomApplication(
    IcomAccess access,
    IngestEndpoint ingest,
    StreamEndpoint streams,
    ProblemResponder problems,
    IcomHttpOptions options,
    PixMetrics metrics,
    DrainState drain,
    PixTracing tracing,
    InFlightRequests inFlight) : IHttpApplication
{
    private readonly ObjectPool<IcomExchange> _exchanges =
        new DefaultObjectPool<IcomExchange>(new ExchangePolicy(), maximumRetained: 4096);
    private int _inFlight;
    private readonly Func<bool> _draining = () => drain.IsDraining;

    /// <summary>Regions: the 421 of an ISPB another region owns; null without regions (nothing is checked).</summary>
    public RegionGate? Regions { get; init; }

    /// <summary>Requests between parse and response, parked long polls included (the drain waits for zero).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    // Pooled boxes: when the request truly suspends (a parked long poll, an fsync wait) its state machine
    // comes from a pool shared by every thread (SharedPoolingBuilder). Each ValueTask is awaited once, as pooling requires.
    [AsyncMethodBuilder(typeof(SharedPoolingBuilder))]
    public async ValueTask HandleAsync(HttpRequest request, HttpResponse response)
    {
        var started = metrics.Start();
        var route = IcomRoute.Match(request.Path);
        if (!inFlight.TryEnter())
        {
            // Shed before any work: the requests already admitted keep their latency, this one retries shortly.
            metrics.Throttled("inflight");
            problems.Write(response, Problem.ServiceUnavailable, "Too many requests in progress on this node (Pix:Limits:MaxInFlight); retry later."u8, retryAfterSeconds: 1);
            metrics.Finish(started, route.Kind, request.Method, response.StatusCode);
            return;
        }
        Interlocked.Increment(ref _inFlight);
        var exchange = _exchanges.Get();
        using var span = tracing.StartRequest(request, SpanName(route.Kind, request.Method));
        try
        {
            // Draining: the client is told to reconnect (through the load balancer, to a node that stays).
            response.CloseWhen = _draining;
            // Admitted once: a POST whose body came after its head was admitted from the head already.
            if (!request.AdmittedFromHead && !access.Admit(request, response, route))
            {
                // Refused from the head alone: nothing of the body was read, nothing changed.
            }
            else if (options.StrictHeaders && request.HasUnlistedHeader)
            {
                problems.Write(response, Problem.InvalidHeader, "A header outside ICOM's list was sent."u8);
            }
            else if (drain.IsDraining && route.Kind == IcomRouteKind.StreamStart)
            {
                problems.Write(response, Problem.ServiceUnavailable, "This node is draining: open the stream again, another node will take it."u8, retryAfterSeconds: 1);
            }
            // Streams by their ISPB, ingest by its sender: another region's ISPB is refused before anything is read.
            else if (Regions is { } regions && route.Kind != IcomRouteKind.Unknown && !regions.Serves(route.Ispb)
                && !await regions.ServesAfterRefreshAsync(route.Ispb))
            {
                regions.Refuse(response, route.Ispb);
            }
            else
            {
                await DispatchAsync(request, response, route, exchange);
            }
        }
        catch (MisdirectedException e) when (!response.HasStarted && Regions is not null)
        {
            // The store's fence refused the step (the ISPB moved at an epoch this node had not heard of): nothing changed.
            await Regions.CatchUpAsync();
            Regions.Refuse(response, e.Ispb);
        }
        catch (StoreUnavailableException) when (!response.HasStarted)
        {
            // A stream change (open, claim, close) could not be made durable: nothing changed, the client retries.
            problems.Write(response, Problem.ServiceUnavailable, "Storage cannot take writes now; nothing changed."u8, retryAfterSeconds: 1);
        }
        finally
        {
            inFlight.Exit();
            _exchanges.Return(exchange);
            metrics.Finish(started, route.Kind, request.Method, response.StatusCode);
            Interlocked.Decrement(ref _inFlight);
            if (span is not null) EndSpan(span, route, response.StatusCode);
        }
    }

    /// <summary>A POST whose body is still on its way: a caller who may not post to this path is refused from the
    /// head alone (the "answered from the headers"), before any body byte is awaited or buffered.</summary>
    public bool AdmitHead(HttpRequest request, HttpResponse response)
    {
        var route = IcomRoute.Match(request.Path);
        if (route.Kind == IcomRouteKind.Unknown) return true;
        var started = metrics.Start();
        if (access.Admit(request, response, route))
        {
            // Another region's sender, by the map in hand: refused now, not after its whole body came.
            if (Regions is not { } regions || !regions.RefusesFromHead(route.Ispb)) return true;
            regions.Refuse(response, route.Ispb);
        }
        metrics.Finish(started, route.Kind, request.Method, response.StatusCode);
        return false;
    }

    private static void EndSpan(Activity span, IcomRoute route, int status)
    {
        span.SetTag("http.response.status_code", status);
        if (route.Kind != IcomRouteKind.Unknown) span.SetTag("pix.ispb", route.Ispb.ToString());
        if (status >= 500) span.SetStatus(ActivityStatusCode.Error);
    }

    // OpenTelemetry's HTTP server span names: "{method} {route}". Interned, so naming costs nothing.
    private static string SpanName(IcomRouteKind kind, HttpMethodKind method) => (kind, method) switch
    {
        (IcomRouteKind.Ingest, HttpMethodKind.Post) => "POST /api/v1/in/{ispb}/msgs",
        (IcomRouteKind.StreamStart, HttpMethodKind.Get) => "GET /api/v1/out/{ispb}/stream/start",
        (IcomRouteKind.StreamToken, HttpMethodKind.Get) => "GET /api/v1/out/{ispb}/stream/{token}",
        (IcomRouteKind.StreamToken, HttpMethodKind.Delete) => "DELETE /api/v1/out/{ispb}/stream/{token}",
        _ => "HTTP",
    };

    private ValueTask DispatchAsync(HttpRequest request, HttpResponse response, IcomRoute route, IcomExchange exchange)
    {
        switch (route.Kind)
        {
            case IcomRouteKind.Ingest when request.Method == HttpMethodKind.Post:
                return ingest.HandleAsync(request, response, route, exchange);
            case IcomRouteKind.StreamStart when request.Method == HttpMethodKind.Get:
                return streams.StartAsync(request, response, route, exchange);
            case IcomRouteKind.StreamToken when request.Method == HttpMethodKind.Get:
                return streams.ReadAsync(request, response, route, exchange);
            case IcomRouteKind.StreamToken when request.Method == HttpMethodKind.Delete:
                return streams.DeleteAsync(request, response, route);
            case IcomRouteKind.Unknown:
                problems.Write(response, Problem.NotFound, "No ICOM endpoint has this path."u8);
                return ValueTask.CompletedTask;
            default:
                problems.Write(response, Problem.MethodNotAllowed, "This method is not allowed on this path."u8, allow: Allowed(route.Kind));
                return ValueTask.CompletedTask;
        }
    }

    private static ReadOnlySpan<byte> Allowed(IcomRouteKind kind) => kind switch
    {
        IcomRouteKind.Ingest => "POST"u8,
        IcomRouteKind.StreamStart => "GET"u8,
        _ => "GET, DELETE"u8,
    };

    internal sealed class ExchangePolicy : PooledObjectPolicy<IcomExchange>
    {
        public override IcomExchange Create() => new();

        public override bool Return(IcomExchange exchange)
        {
            exchange.Reset();
            return exchange.BufferBytes <= IcomExchange.MaxPooledBufferBytes;
        }
    }
}
