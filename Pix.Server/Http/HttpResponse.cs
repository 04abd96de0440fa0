using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.IO.Pipelines;
using Pix.Protocol.Problems;

namespace Pix.Server.Http;

/// <summary>
/// Writes one response straight into the connection's <see cref="PipeWriter"/>: <see cref="Start"/> (status line,
/// Date, Server), any <see cref="Header(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>, then <see cref="EndHeaders"/>
/// with the exact body length, then the body through <see cref="IBufferWriter{T}"/>. The connection flushes.
/// The framing rules of RFC 9110 are kept here, whatever the application writes: 204 and 304 carry no
/// Content-Length (8.6), and the body of a response to HEAD is measured but never sent (9.3.2).
/// </summary>
public sealed class HttpResponse : IBufferWriter<byte>
{
    private PipeWriter _output = null!;
    private long _bodyRemaining;
    private Memory<byte> _staged;
    private int _stagedLength;
    // Where the staged head ends (the body starts), or -1 before EndHeaders: HEAD commits only the head.
    private int _stagedHeadLength;
    private bool _staging;
    private bool _inBody;

    public int StatusCode { get; private set; }

    /// <summary>Set to close the connection after this response (the layer adds <c>Connection: close</c>).</summary>
    public bool CloseConnection { get; set; }

    /// <summary>Asked when the headers end: true closes the connection after this response. A draining server sets it,
    /// so a long poll parked before the drain began still tells its client to reconnect elsewhere.</summary>
    public Func<bool>? CloseWhen { get; set; }

    /// <summary>Set by the connection for an HTTP/1.0 keep-alive request: such a client closes unless the response
    /// says <c>Connection: keep-alive</c> (RFC 9112 9.3).</summary>
    public bool AnnounceKeepAlive { get; set; }

    /// <summary>Set by the connection for a HEAD request: the headers go out as for GET (Content-Length included),
    /// the body written after <see cref="EndHeaders"/> does not.</summary>
    public bool OmitBody { get; set; }

    /// <summary>True once <see cref="Start"/> was called for the current request.</summary>
    public bool HasStarted { get; private set; }

    /// <summary>The bytes of the <c>Date</c> header's value, refreshed once a second by <see cref="DateHeader"/>.</summary>
    public required DateHeader Date { get; init; }

    public void Bind(PipeWriter output)
    {
        _output = output;
        HasStarted = false;
        CloseConnection = false;
        CloseWhen = null;
        AnnounceKeepAlive = false;
        OmitBody = false;
        StatusCode = 0;
        _bodyRemaining = 0;
        _staging = false;
        _inBody = false;
    }

    /// <summary>
    /// Writes from here on go into one reserved, contiguous buffer of <paramref name="capacity"/> bytes instead of
    /// being committed as they come: a writer that learns something only while copying the body (a damaged stored
    /// message) can still <see cref="DiscardStaged"/> and start over with other headers. <see cref="CommitStaged"/> hands
    /// the bytes to the connection; nothing is copied twice.
    /// </summary>
    public void BeginStaged(int capacity)
    {
        WaitForConnection();
        _staged = _output.GetMemory(capacity);
        _stagedLength = 0;
        _stagedHeadLength = -1;
        _staging = true;
    }

    /// <summary>Forgets everything written since <see cref="BeginStaged"/>; the reserved buffer is reused.</summary>
    public void DiscardStaged()
    {
        _stagedLength = 0;
        _stagedHeadLength = -1;
        HasStarted = false;
        StatusCode = 0;
        _bodyRemaining = 0;
        _inBody = false;
    }

    public void CommitStaged()
    {
        _staging = false;
        _output.Advance(OmitBody && _stagedHeadLength >= 0 ? _stagedHeadLength : _stagedLength);
    }

    /// <summary>Held by the connection while it invokes the application and flushes earlier responses.</summary>
    internal object OutputLock { get; } = new();

    // A handler resuming on another thread waits here until the connection is done with the pipe.
    private void WaitForConnection()
    {
        lock (OutputLock)
        {
        }
    }

    public void Start(int statusCode)
    {
        WaitForConnection();
        HasStarted = true;
        StatusCode = statusCode;
        Write("HTTP/1.1 "u8);
        Span<byte> code = stackalloc byte[3];
        Utf8Formatter.TryFormat(statusCode, code, out _);
        Write(code);
        Write(" "u8);
        Write(ProblemCatalog.ReasonPhrase(statusCode));
        Write("\r\nServer: pix\r\nDate: "u8);
        Date.CopyTo(GetSpan(DateHeader.Length));
        Advance(DateHeader.Length);
        Write("\r\n"u8);
    }

    public void Header(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Write(name);
        Write(": "u8);
        Write(value);
        Write("\r\n"u8);
    }

    public void Header(ReadOnlySpan<byte> name, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var written);
        Header(name, digits[..written]);
    }

    /// <summary>Ends the header block with Content-Length (and Connection: close when closing); the body follows.
    /// A 204 or 304 has no body and says nothing of its length.</summary>
    public void EndHeaders(long contentLength)
    {
        if (!CloseConnection && CloseWhen is { } close && close()) CloseConnection = true;
        if (CloseConnection) Write("Connection: close\r\n"u8);
        else if (AnnounceKeepAlive) Write("Connection: keep-alive\r\n"u8);
        if (StatusCode is 204 or 304)
        {
            Debug.Assert(contentLength == 0, "A 204 or 304 response has no body.");
        }
        else
        {
            Header("Content-Length"u8, contentLength);
        }
        Write("\r\n"u8);
        _bodyRemaining = contentLength;
        _inBody = true;
        if (_staging) _stagedHeadLength = _stagedLength;
    }

    /// <summary>Bytes of body still owed after <see cref="EndHeaders"/>; the connection checks it reaches zero.</summary>
    public long BodyRemaining => _bodyRemaining;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        var span = GetSpan(bytes.Length);
        bytes.CopyTo(span);
        Advance(bytes.Length);
    }

    /// <summary>A complete response with a body already in hand.</summary>
    public void Complete(int statusCode, ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> body)
    {
        Start(statusCode);
        if (!contentType.IsEmpty) Header("Content-Type"u8, contentType);
        EndHeaders(body.Length);
        Write(body);
    }

    public void Advance(int count)
    {
        if (_staging) _stagedLength += count;
        // A HEAD response's body lands in the pipe's free memory and is never committed: the next write reuses it.
        else if (!(_inBody && OmitBody)) _output.Advance(count);
        _bodyRemaining -= count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (!_staging) return _output.GetMemory(sizeHint);
        var free = _staged[_stagedLength..];
        if (free.Length < sizeHint) throw new InvalidOperationException("The staged response outgrew the space reserved for it.");
        return free;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => _staging ? GetMemory(sizeHint).Span : _output.GetSpan(sizeHint);
}
