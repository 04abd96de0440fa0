namespace Pix.Server.Http;

/// <summary>
/// What the header section said about framing and the connection, gathered line by line and judged once the
/// section ends (RFC 9112 6.1-6.3, 9.3). Reset for every request.
/// </summary>
internal struct RequestFraming
{
    public long ContentLength;
    public int ContentLengthCount;
    public bool HasTransferEncoding;
    public int ChunkedCount;
    public int OtherCodingCount;
    public bool ChunkedIsLast;
    public int HostCount;
    public bool ConnectionClose;
    public bool ConnectionKeepAlive;
    public bool ExpectContinue;

    public readonly bool HasContentLength => ContentLengthCount > 0;

    public void Reset() => this = default;
}
