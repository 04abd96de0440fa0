using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Problems;
using Pix.Storage.Async;

namespace Pix.Server.Http;

/// <summary>
/// One client connection: parses every request buffered by a read, hands them to the application strictly in order,
/// and flushes once per read. A malformed request is answered (problem+xml, <c>Connection: close</c>) after the
/// responses before it, and the connection closes: after a framing error the rest of the stream cannot be trusted.
/// Three clocks bound what a client can hold: the idle (keep-alive) timeout between requests, the request timeout
/// from a request's first byte to its last, and the write timeout on every flush (a client that stops reading).
/// </summary>
internal sealed class HttpConnection : IDisposable
{
    // Responses are flushed once per read, or sooner once this much is buffered: a client pipelining many requests
    // for large answers (repeated stream reads) cannot make the server hold more than this plus one response.
    private const int FlushAboveBytes = 64 * 1024;

    private readonly ConnectionContext _connection;
    private readonly IHttpApplication _application;
    private readonly ProblemXmlWriter _problems;
    private readonly ILogger _logger;
    private readonly PipeWriter _output;
    private readonly HttpRequestParser _parser;
    private readonly HttpRequest _request = new();
    private readonly HttpResponse _response;
    private readonly HttpLimits _limits;
    private readonly ConnectionGate? _gate;
    private bool _continueSent;
    // The application has seen this request's head (IHttpApplication.AdmitHead) while its body was still to come.
    private bool _headAdmitted;
    // Set when the server stops (Kestrel's IConnectionLifetimeNotificationFeature): an idle connection closes at once,
    // a busy one after its current response, with Connection: close.
    private volatile bool _closeRequested;
    private readonly CancellationTokenRegistration _closeRegistration;
    // One per connection each: re-armed with CancelAfter (which reuses its timer), so reads and flushes stay allocation-free.
    private readonly CancellationTokenSource _readTimeout = new();
    private readonly CancellationTokenSource _writeTimeout = new();

    public HttpConnection(ConnectionContext connection, IHttpApplication application, HttpLimits limits,
        ProblemXmlWriter problems, DateHeader date, ILogger logger, ConnectionGate? gate = null, RetainedBuffers? buffers = null)
    {
        _connection = connection;
        _application = application;
        _problems = problems;
        _logger = logger;
        _limits = limits;
        _gate = gate;
        _output = connection.Transport.Output;
        _parser = new HttpRequestParser(limits, buffers);
        _response = new HttpResponse { Date = date };
        _request.Aborted = connection.ConnectionClosed;
        _request.ConnectionFeatures = connection.Features;
        if (connection.Features.Get<IConnectionLifetimeNotificationFeature>() is { } lifetime)
        {
            _closeRegistration = lifetime.ConnectionClosedRequested.UnsafeRegister(static state => ((HttpConnection)state!).RequestClose(), this);
        }
    }

    private void RequestClose()
    {
        _closeRequested = true;
        // Wakes a read that waits for the next request; the loop then sees it is idle and closes.
        _connection.Transport.Input.CancelPendingRead();
    }

    public async Task RunAsync()
    {
        var input = _connection.Transport.Input;
        var requestTimerArmed = false;
        _readTimeout.CancelAfter(_limits.KeepAliveTimeout);
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(_readTimeout.Token);
                }
                catch (OperationCanceledException) when (_readTimeout.IsCancellationRequested)
                {
                    // Idle past the keep-alive timeout (normal), or a request that took too long to arrive (slowloris).
                    if (requestTimerArmed) TimedOut("request");
                    break;
                }
                var buffer = result.Buffer;
                var consumed = buffer.Start;
                var close = false;
                while (!close)
                {
                    var status = _parser.TryParse(buffer.Slice(consumed), _request, out var next, out var error);
                    if (status == ParseStatus.Incomplete)
                    {
                        // Whole head lines and body bytes are taken; the rest comes with the next read.
                        consumed = next;
                        if (_parser.IsReadingBody && !_headAdmitted)
                        {
                            _headAdmitted = true;
                            if (!AdmitHead())
                            {
                                close = true;
                                break;
                            }
                        }
                        if (_parser.IsReadingBody && _parser.ExpectsContinue && !_continueSent && !_request.IsHttp10)
                        {
                            _output.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);
                            _continueSent = true;
                        }
                        break;
                    }
                    _continueSent = false;
                    _headAdmitted = false;
                    if (status == ParseStatus.Error)
                    {
                        HttpConnectionLog.BadRequest(_logger, _connection.ConnectionId, error);
                        WriteProblem(RequestErrors.Status(error), RequestErrors.Problem(error), RequestErrors.Detail(error));
                        close = true;
                        break;
                    }
                    consumed = next;
                    requestTimerArmed = false;
                    close = await HandleAsync();
                    if (!close && _output.CanGetUnflushedBytes && _output.UnflushedBytes > FlushAboveBytes && !await FlushAsync()) close = true;
                }
                var partial = _parser.IsMidRequest || !buffer.Slice(consumed).IsEmpty;
                // Between requests the connection keeps no pooled buffer, whatever the size of the last request.
                if (!partial) _parser.ReleaseBuffers();
                // Examined up to the end: the next read waits for new bytes instead of returning the same ones.
                input.AdvanceTo(consumed, buffer.End);
                if (!await FlushAsync()) break;
                // At end of input a partial request is dropped: there is nobody to answer it.
                if (close || result.IsCompleted) break;
                // Asked to close (server stopping, the only reason a read is cancelled): an idle connection goes now;
                // a partial request is read to its end.
                if (_closeRequested && !partial) break;

                // Idle: the keep-alive timeout runs. Mid-request: the request timeout runs from its first byte on.
                if (!partial) _readTimeout.CancelAfter(_limits.KeepAliveTimeout);
                else if (!requestTimerArmed) _readTimeout.CancelAfter(_limits.RequestTimeout);
                requestTimerArmed = partial;
            }
        }
        catch (Exception exception) when (exception is ConnectionResetException or ConnectionAbortedException or IOException or OperationCanceledException)
        {
            HttpConnectionLog.ConnectionFailed(_logger, _connection.ConnectionId, exception);
        }
        catch (Exception exception)
        {
            // A fault of this layer ends this connection only, never the process.
            HttpConnectionLog.ConnectionFaulted(_logger, _connection.ConnectionId, exception);
        }
        finally
        {
            await input.CompleteAsync();
            await _output.CompleteAsync();
            Dispose();
        }
    }

    /// <summary>Flushes the responses written so far; false when the connection is gone or the client did not read
    /// them within the write timeout (then the connection is aborted, so the transport drops what it still holds).
    /// Completes synchronously, with no timer armed, while the client keeps up.</summary>
    private ValueTask<bool> FlushAsync()
    {
        // Timed out once already: the connection is being aborted.
        if (_writeTimeout.IsCancellationRequested) return new ValueTask<bool>(false);
        var flush = _output.FlushAsync(_writeTimeout.Token);
        if (flush.IsCompletedSuccessfully) return new ValueTask<bool>(!flush.Result.IsCompleted);
        return AwaitFlushAsync(flush);
    }

    [AsyncMethodBuilder(typeof(SharedPoolingBuilder<>))]
    private async ValueTask<bool> AwaitFlushAsync(ValueTask<FlushResult> flush)
    {
        // The client's receive window and the transport's buffer are full: from now on the client must read.
        _writeTimeout.CancelAfter(_limits.WriteTimeout);
        try
        {
            var result = await flush;
            _writeTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
            if (!result.IsCanceled) return !result.IsCompleted;
        }
        catch (OperationCanceledException) when (_writeTimeout.IsCancellationRequested)
        {
        }
        if (!_writeTimeout.IsCancellationRequested) return false;
        TimedOut("write");
        _connection.Abort(new ConnectionAbortedException("The client did not read its responses within the write timeout."));
        return false;
    }

    private void TimedOut(string phase)
    {
        HttpConnectionLog.TimedOut(_logger, _connection.ConnectionId, phase);
        if (phase == "write") _gate?.WriteTimedOut();
        else _gate?.RequestTimedOut();
    }

    /// <summary>Shows the application a head whose body is still to come; false when it answered from the head (the
    /// answer is written, and the connection closes after it with the body unread).</summary>
    private bool AdmitHead()
    {
        _response.Bind(_output);
        _response.CloseConnection = true;
        _response.OmitBody = _request.Method == HttpMethodKind.Head;
        try
        {
            if (_application.AdmitHead(_request, _response))
            {
                _request.AdmittedFromHead = true;
                return true;
            }
        }
        catch (Exception exception)
        {
            ApplicationFailed(exception);
            return false;
        }
        if (!_response.HasStarted) WriteProblem(503, Problem.ServiceUnavailable, "The server did not answer the request; retry later."u8, retryAfterSeconds: 1);
        return false;
    }

    /// <summary>Runs the application for the parsed request; true when the connection must close afterwards.
    /// Completes synchronously (no allocation) when the application does.</summary>
    private ValueTask<bool> HandleAsync()
    {
        _response.Bind(_output);
        _response.CloseConnection = !_request.KeepAlive || _closeRequested;
        _response.AnnounceKeepAlive = _request.IsHttp10 && _request.KeepAlive;
        _response.OmitBody = _request.Method == HttpMethodKind.Head;
        ValueTask pending;
        ValueTask<bool> flush;
        // The application's writes wait for this lock (HttpResponse.Start), so a handler that parks and resumes on
        // another thread cannot write while this thread still flushes the earlier pipelined responses.
        lock (_response.OutputLock)
        {
            try
            {
                pending = _application.HandleAsync(_request, _response);
                if (pending.IsCompletedSuccessfully)
                {
                    pending.GetAwaiter().GetResult();
                    return new ValueTask<bool>(AfterResponse());
                }
            }
            catch (Exception exception)
            {
                return new ValueTask<bool>(ApplicationFailed(exception));
            }
            // It parked (a long poll can wait seconds): responses to earlier pipelined requests go out now.
            flush = FlushAsync();
        }
        return AwaitApplicationAsync(pending, flush);
    }

    // Pooled boxes: when the request truly suspends (a parked long poll, an fsync wait) its state machine
    // comes from a pool shared by every thread (SharedPoolingBuilder). Each ValueTask is awaited once, as pooling requires.
    [AsyncMethodBuilder(typeof(SharedPoolingBuilder<>))]
    private async ValueTask<bool> AwaitApplicationAsync(ValueTask pending, ValueTask<bool> flush)
    {
        // A long poll is not an idle connection: no read timeout while the application works.
        _readTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
        // A client that does not read the earlier responses is aborted, which also ends the parked request.
        var flushed = await flush;
        try
        {
            await pending;
        }
        catch (Exception exception)
        {
            return ApplicationFailed(exception);
        }
        return !flushed || AfterResponse();
    }

    private bool AfterResponse()
    {
        if (!_response.HasStarted)
        {
            HttpConnectionLog.IncompleteResponse(_logger, _connection.ConnectionId, 0);
            WriteProblem(503, Problem.ServiceUnavailable, "The server did not answer the request; retry later."u8, retryAfterSeconds: 1);
            return true;
        }
        // A HEAD response may announce a length it never writes; for anything else a short body breaks the framing.
        if (_request.Method != HttpMethodKind.Head && _response.BodyRemaining != 0)
        {
            HttpConnectionLog.IncompleteResponse(_logger, _connection.ConnectionId, _response.BodyRemaining);
            return true;
        }
        return _response.CloseConnection;
    }

    private bool ApplicationFailed(Exception exception)
    {
        // A long poll that gave up because the client left is not a failure, and nobody is there to read an answer.
        if (exception is OperationCanceledException && _connection.ConnectionClosed.IsCancellationRequested) return true;
        HttpConnectionLog.ApplicationFailed(_logger, _connection.ConnectionId, exception);
        // A fault of ours is 503 + Retry-After, never 500. Once the status line is out, the only honest signal left
        // is closing mid-response.
        if (!_response.HasStarted) WriteProblem(503, Problem.ServiceUnavailable, "The server failed to handle the request; retry later."u8, retryAfterSeconds: 1);
        return true;
    }

    private void WriteProblem(int status, Problem problem, ReadOnlySpan<byte> detail, int retryAfterSeconds = 0)
    {
        _response.Bind(_output);
        _response.CloseConnection = true;
        _response.OmitBody = _request.Method == HttpMethodKind.Head;
        _response.Start(status);
        _response.Header("Content-Type"u8, ProblemXmlWriter.ContentType);
        if (retryAfterSeconds > 0) _response.Header("Retry-After"u8, retryAfterSeconds);
        _response.EndHeaders(_problems.Measure(problem, detail));
        _problems.Write(_response, problem, detail);
    }

    public void Dispose()
    {
        _closeRegistration.Dispose();
        _parser.Dispose();
        _readTimeout.Dispose();
        _writeTimeout.Dispose();
    }
}
