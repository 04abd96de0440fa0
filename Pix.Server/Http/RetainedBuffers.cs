namespace Pix.Server.Http;

/// <summary>
/// Bytes the connections of a listener hold in buffers rented from the shared pool (request bodies, copies of lines
/// that straddle segments). A connection gives them back whenever it is between requests, so this stays near
/// zero when clients are idle, however large their last request was; exported as <c>pix_http_buffer_bytes</c>.
/// </summary>
internal sealed class RetainedBuffers
{
    private long _bytes;

    public long Bytes => Volatile.Read(ref _bytes);

    public void Rented(int bytes) => Interlocked.Add(ref _bytes, bytes);

    public void Returned(int bytes) => Interlocked.Add(ref _bytes, -bytes);
}
