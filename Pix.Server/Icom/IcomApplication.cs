using System.Runtime.CompilerServices;
using Microsoft.Extensions.ObjectPool;
using Pix.Protocol.Problems;
using Pix.Protocol.Routing;
using Pix.Server.Http;
using Pix.Server.Ingest;
using Pix.Storage;

namespace Pix.Server.Icom;

/// <summary>
/// The ICOM endpoints behind our HTTP/1.1 layer: matches the route on the raw path bytes, checks the method, and
/// hands the request to ingest or to the stream endpoints with a pooled <see cref="IcomExchange"/>.
/// </summary>
internal sealed class IcomApplication(
    IngestEndpoint ingest,
    StreamEndpoint streams,
    ProblemResponder problems,
    IcomHttpOptions options,
    PixMetrics metrics,
    InFlightRequests inFlight) : IHttpApplication
{
    private readonly ObjectPool<IcomExchange> _exchanges =
        new DefaultObjectPool<IcomExchange>(new ExchangePolicy(), maximumRetained: 4096);

    // Pooled boxes: when the request truly suspends (a parked long poll, an fsync wait) its state machine
    // comes from a per-thread cache instead of a new allocation. Each ValueTask is awaited once, as pooling requires.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
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
        var exchange = _exchanges.Get();
        try
        {
            if (options.StrictHeaders && request.HasUnlistedHeader)
            {
                problems.Write(response, Problem.InvalidHeader, "A header outside ICOM's list was sent."u8);
            }
            else
            {
                await DispatchAsync(request, response, route, exchange);
            }
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
        }
    }

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
