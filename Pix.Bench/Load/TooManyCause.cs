namespace Pix.Bench.Load;

/// <summary>Names the cause of a 429 from its problem detail, for the report's "429s by cause".</summary>
internal static class TooManyCause
{
    public static string Of(string endpoint, ReadOnlySpan<byte> body)
    {
        if (body.IndexOf("token bucket"u8) >= 0) return "sender token bucket";
        if (body.IndexOf("slots"u8) >= 0) return "stream slots (7th stream)";
        if (body.IndexOf("lag"u8) >= 0 || body.IndexOf("pressure"u8) >= 0) return "back-pressure";
        return endpoint + ": other";
    }
}
