using Pix.Protocol.Ids;

namespace Pix.Protocol.Routing;

/// <summary>
/// An ICOM path matched on its raw bytes: which endpoint, for which ISPB, and where the stream token sits.
/// Nothing is allocated; the token is a range into the path it was matched on.
/// </summary>
public readonly record struct IcomRoute(IcomRouteKind Kind, Ispb Ispb, Range Token)
{
    private static ReadOnlySpan<byte> InPrefix => "/api/v1/in/"u8;
    private static ReadOnlySpan<byte> OutPrefix => "/api/v1/out/"u8;
    private static ReadOnlySpan<byte> MsgsSuffix => "/msgs"u8;
    private static ReadOnlySpan<byte> StreamSegment => "/stream/"u8;
    private static ReadOnlySpan<byte> Start => "start"u8;

    public static IcomRoute Match(ReadOnlySpan<byte> path)
    {
        if (path.StartsWith(InPrefix))
        {
            var rest = path[InPrefix.Length..];
            if (rest.Length == Ispb.Length + MsgsSuffix.Length && rest[Ispb.Length..].SequenceEqual(MsgsSuffix)
                && Ispb.TryParse(rest[..Ispb.Length], out var ispb))
            {
                return new IcomRoute(IcomRouteKind.Ingest, ispb, default);
            }
            return default;
        }
        if (path.StartsWith(OutPrefix))
        {
            var rest = path[OutPrefix.Length..];
            if (rest.Length <= Ispb.Length + StreamSegment.Length
                || !rest.Slice(Ispb.Length, StreamSegment.Length).SequenceEqual(StreamSegment)
                || !Ispb.TryParse(rest[..Ispb.Length], out var ispb))
            {
                return default;
            }
            var tail = rest[(Ispb.Length + StreamSegment.Length)..];
            if (tail.SequenceEqual(Start)) return new IcomRoute(IcomRouteKind.StreamStart, ispb, default);
            if (tail.IndexOf((byte)'/') >= 0) return default;
            var offset = OutPrefix.Length + Ispb.Length + StreamSegment.Length;
            return new IcomRoute(IcomRouteKind.StreamToken, ispb, new Range(offset, path.Length));
        }
        return default;
    }
}
