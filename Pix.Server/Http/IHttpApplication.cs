namespace Pix.Server.Http;

/// <summary>
/// What runs behind the HTTP/1.1 connection layer. The layer parses and frames one request at a time per connection
/// (pipelined requests are handled in order) and hands it here; the application writes exactly one response.
/// </summary>
public interface IHttpApplication
{
    /// <summary>Handles one complete request (body already de-chunked). The request and response objects belong to
    /// the connection and are reused for the next request once the returned task completes.</summary>
    ValueTask HandleAsync(HttpRequest request, HttpResponse response);
}
