using System.Runtime.CompilerServices;
using Pix.Protocol.Media;
using Pix.Protocol.Problems;
using Pix.Protocol.Routing;
using Pix.Protocol.Streams;
using Pix.Storage.Async;
using Pix.Server.Http;
using Pix.Server.Streams;
using Pix.Server.Telemetry;

namespace Pix.Server.Icom;

/// <summary>GET <c>stream/start</c>, GET and DELETE <c>stream/{token}</c>: checks the request, asks the engine, answers.</summary>
internal sealed class StreamEndpoint(StreamEngine engine, PullTokenCodec tokens, BatchResponder batches, ProblemResponder problems, PixMetrics metrics)
{
    // Pooled boxes: when the request truly suspends (a parked long poll, an fsync wait) its state machine
    // comes from a pool shared by every thread (SharedPoolingBuilder). Each ValueTask is awaited once, as pooling requires.
    [AsyncMethodBuilder(typeof(SharedPoolingBuilder))]
    public async ValueTask StartAsync(HttpRequest request, HttpResponse response, IcomRoute route, IcomExchange exchange)
    {
        var mode = MediaNegotiation.Choose(request.Header(KnownHeader.Accept));
        if (mode == ResponseMode.NotAcceptable)
        {
            problems.Write(response, Problem.NotAcceptable, "Accept must allow multipart/mixed or application/xml."u8);
            return;
        }
        var (status, next) = await engine.StartAsync(route.Ispb, MaxFor(mode), exchange.Batch, exchange.Waiter, request.Aborted);
        Answer(request, response, exchange, status, next, mode);
    }

    [AsyncMethodBuilder(typeof(SharedPoolingBuilder))]
    public async ValueTask ReadAsync(HttpRequest request, HttpResponse response, IcomRoute route, IcomExchange exchange)
    {
        if (!TryToken(request, response, route, out var token)) return;
        var mode = MediaNegotiation.Choose(request.Header(KnownHeader.Accept));
        if (mode == ResponseMode.NotAcceptable)
        {
            problems.Write(response, Problem.NotAcceptable, "Accept must allow multipart/mixed or application/xml."u8);
            return;
        }
        var (status, next) = await engine.NextAsync(token, MaxFor(mode), exchange.Batch, exchange.Waiter, request.Aborted);
        Answer(request, response, exchange, status, next, mode);
    }

    [AsyncMethodBuilder(typeof(SharedPoolingBuilder))]
    public async ValueTask DeleteAsync(HttpRequest request, HttpResponse response, IcomRoute route)
    {
        if (!TryToken(request, response, route, out var token)) return;
        var status = await engine.DeleteAsync(token, request.Aborted);
        if (status != StreamOutcome.Ok)
        {
            WriteRefusal(response, status);
            return;
        }
        response.Start(200);
        response.EndHeaders(0);
    }

    /// <summary>Regions: tokens carry the epoch of the ownership map they were minted under.</summary>
    public Pix.Storage.Regions.RegionOwnership? Regions { get; init; }

    private int MaxFor(ResponseMode mode) => mode == ResponseMode.Multipart ? engine.Options.MaxBatch : 1;

    private bool TryToken(HttpRequest request, HttpResponse response, IcomRoute route, out PullToken token)
    {
        using var span = PixTracing.StartChild("stream.token");
        if (!tokens.TryRead(request.Path[route.Token], out token))
        {
            problems.Write(response, Problem.NotFound, "The stream token is malformed or was not issued by this server."u8);
            return false;
        }
        if (token.Ispb != route.Ispb)
        {
            problems.Write(response, Problem.Forbidden, "The token belongs to another ISPB."u8);
            return false;
        }
        return true;
    }

    private void Answer(HttpRequest request, HttpResponse response, IcomExchange exchange, StreamOutcome status, PullToken next, ResponseMode mode)
    {
        if (status == StreamOutcome.Ok)
        {
            if (Regions?.Current is { } map) next = next with { Epoch = (uint)map.Epoch };
            using var span = PixTracing.StartResponseWrite();
            batches.Write(response, exchange, next, mode, MediaNegotiation.AcceptsGzip(request.Header(KnownHeader.AcceptEncoding)));
            return;
        }
        WriteRefusal(response, status);
    }

    private void WriteRefusal(HttpResponse response, StreamOutcome status)
    {
        switch (status)
        {
            case StreamOutcome.Full:
                metrics.Throttled("slots");
                problems.Write(response, Problem.TooManyRequests, "All stream slots of this ISPB are taken; close one or wait for an idle one to expire."u8, retryAfterSeconds: 1);
                break;
            case StreamOutcome.Busy:
                problems.Write(response, Problem.Conflict, "A request is in flight on this stream."u8);
                break;
            default:
                problems.Write(response, Problem.Gone, "The stream is closed, expired, or the token was superseded."u8);
                break;
        }
    }
}
