using System.Text;
using Pix.Protocol.Ids;
using Pix.Protocol.Routing;

namespace Pix.Tests.Protocol;

public sealed class IcomRouteTests
{
    [Theory]
    [InlineData("/api/v1/in/00038166/msgs", IcomRouteKind.Ingest, "00038166", "")]
    [InlineData("/api/v1/out/1234567A/stream/start", IcomRouteKind.StreamStart, "1234567A", "")]
    [InlineData("/api/v1/out/12345678/stream/abcDEF_-", IcomRouteKind.StreamToken, "12345678", "abcDEF_-")]
    [InlineData("/api/v1/in/0003816/msgs", IcomRouteKind.Unknown, null, "")]
    [InlineData("/api/v1/in/0003816a/msgs", IcomRouteKind.Unknown, null, "")]
    [InlineData("/api/v1/in/00038166/msgs/", IcomRouteKind.Unknown, null, "")]
    [InlineData("/api/v1/out/12345678/stream/", IcomRouteKind.Unknown, null, "")]
    [InlineData("/api/v1/out/12345678/stream/a/b", IcomRouteKind.Unknown, null, "")]
    [InlineData("/api/v1/out/12345678/streams/start", IcomRouteKind.Unknown, null, "")]
    [InlineData("/", IcomRouteKind.Unknown, null, "")]
    public void MatchesPathsOnBytes(string path, IcomRouteKind kind, string? ispb, string token)
    {
        var bytes = Encoding.ASCII.GetBytes(path);
        var route = IcomRoute.Match(bytes);
        Assert.Equal(kind, route.Kind);
        if (ispb is not null) Assert.Equal(Ispb.Parse(ispb), route.Ispb);
        if (kind == IcomRouteKind.StreamToken) Assert.Equal(token, Encoding.ASCII.GetString(bytes[route.Token]));
    }

    [Fact]
    public void MatchingAllocatesNothing()
    {
        var path = "/api/v1/out/12345678/stream/abcdefgh"u8.ToArray();
        IcomRoute.Match(path);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) IcomRoute.Match(path);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
