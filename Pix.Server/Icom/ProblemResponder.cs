using Pix.Protocol.Problems;
using Pix.Server.Http;

namespace Pix.Server.Icom;

/// <summary>Answers an error as ICOM does: RFC 7807 problem details in XML, with Retry-After where it applies.</summary>
internal sealed class ProblemResponder(ProblemXmlWriter writer)
{
    public void Write(HttpResponse response, Problem problem, ReadOnlySpan<byte> detail, int retryAfterSeconds = 0, ReadOnlySpan<byte> allow = default,
        ReadOnlySpan<byte> extensions = default)
    {
        response.Start(ProblemCatalog.Status(problem));
        response.Header("Content-Type"u8, ProblemXmlWriter.ContentType);
        if (retryAfterSeconds > 0) response.Header("Retry-After"u8, retryAfterSeconds);
        if (!allow.IsEmpty) response.Header("Allow"u8, allow);
        response.EndHeaders(writer.Measure(problem, detail, extensions));
        writer.Write(response, problem, detail, extensions);
    }
}
