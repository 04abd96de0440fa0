using Pix.Server.Http;
using Pix.Server.Icom;

namespace Pix.Server.AspNet;

/// <summary>The per-request scratch of the baseline: the same pooled <see cref="IcomExchange"/> the pipeline uses,
/// plus the buffer our response writer fills before it is copied into ASP.NET's response.</summary>
internal sealed class AspNetExchange(DateHeader date)
{
    public IcomExchange Icom { get; } = new();
    public CapturingPipeWriter Output { get; } = new();
    public HttpResponse Response { get; } = new() { Date = date };

    public void Reset()
    {
        Icom.Reset();
        Output.Reset();
    }
}
