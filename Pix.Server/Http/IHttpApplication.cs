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

    /// <summary>Runs once the head of a request with a body is parsed and its body has not all arrived yet, before
    /// any <c>100 Continue</c>: true lets the body be read; false means the application wrote its answer from the
    /// head alone (a refusal), and the connection closes after it, since the unread body cannot be skipped safely.
    /// A caller who may not post is answered without Pix receiving, buffering or waiting for its body.</summary>
    bool AdmitHead(HttpRequest request, HttpResponse response) => true;
}
