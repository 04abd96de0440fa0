using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.ObjectPool;
using Pix.Protocol.Ids;
using Pix.Protocol.Problems;
using Pix.Protocol.Routing;
using Pix.Server.Http;
using Pix.Server.Icom;
using Pix.Server.Ingest;

namespace Pix.Server.AspNet;

/// <summary>
/// Runs one ICOM request that ASP.NET routing already matched: builds our request from the <see cref="HttpContext"/>,
/// calls the very same <see cref="IngestEndpoint"/> / <see cref="StreamEndpoint"/> as the pipeline mode (so engine,
/// store, checks, status codes and headers are identical), and copies the answer back into the context.
/// </summary>
internal sealed class AspNetIcomHandler(IngestEndpoint ingest, StreamEndpoint streams, ProblemResponder problems, DateHeader date, PixMetrics metrics)
{
    private readonly ObjectPool<AspNetExchange> _exchanges =
        new DefaultObjectPool<AspNetExchange>(new ExchangePolicy(date), maximumRetained: 4096);

    public async Task HandleAsync(HttpContext context, IcomRouteKind kind, string ispb, string? token)
    {
        var started = metrics.Start();
        var request = await HttpContextRequest.ReadAsync(context);
        var exchange = _exchanges.Get();
        var response = exchange.Response;
        response.Bind(exchange.Output);
        try
        {
            if (!Ispb.TryParse(System.Text.Encoding.ASCII.GetBytes(ispb), out var parsed))
            {
                problems.Write(response, Problem.NotFound, "No ICOM endpoint has this path."u8);
            }
            else
            {
                var tokenRange = token is null ? default : new Range(request.Path.Length - token.Length, request.Path.Length);
                var route = new IcomRoute(kind, parsed, tokenRange);
                var pending = kind switch
                {
                    IcomRouteKind.Ingest => ingest.HandleAsync(request, response, route, exchange.Icom),
                    IcomRouteKind.StreamStart => streams.StartAsync(request, response, route, exchange.Icom),
                    _ when request.Method == HttpMethodKind.Delete => streams.DeleteAsync(request, response, route),
                    _ => streams.ReadAsync(request, response, route, exchange.Icom),
                };
                await pending;
            }
            await HttpContextResponse.CopyAsync(response.StatusCode, exchange.Output.WrittenMemory, context);
        }
        finally
        {
            metrics.Finish(started, kind, request.Method, response.StatusCode);
            _exchanges.Return(exchange);
        }
    }

    /// <summary>404 problem for paths no ICOM route matched (ASP.NET's own 404 has no body).</summary>
    public Task NotFoundAsync(HttpContext context)
    {
        var exchange = _exchanges.Get();
        try
        {
            exchange.Response.Bind(exchange.Output);
            problems.Write(exchange.Response, Problem.NotFound, "No ICOM endpoint has this path."u8);
            return HttpContextResponse.CopyAsync(404, exchange.Output.WrittenMemory.ToArray(), context).AsTask();
        }
        finally
        {
            _exchanges.Return(exchange);
        }
    }

    private sealed class ExchangePolicy(DateHeader date) : PooledObjectPolicy<AspNetExchange>
    {
        public override AspNetExchange Create() => new(date);

        public override bool Return(AspNetExchange exchange)
        {
            exchange.Reset();
            return true;
        }
    }
}
