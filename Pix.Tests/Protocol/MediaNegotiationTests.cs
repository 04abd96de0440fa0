using System.Text;
using Pix.Protocol.Media;

namespace Pix.Tests.Protocol;

public sealed class MediaNegotiationTests
{
    [Theory]
    [InlineData("", ResponseMode.Single)]
    [InlineData("application/xml", ResponseMode.Single)]
    [InlineData("*/*", ResponseMode.Single)]
    [InlineData("multipart/mixed", ResponseMode.Multipart)]
    [InlineData("application/xml, Multipart/Mixed;q=0.9", ResponseMode.Multipart)]
    [InlineData("multipart/mixed;q=0, application/xml", ResponseMode.Single)]
    [InlineData("application/json", ResponseMode.NotAcceptable)]
    [InlineData("text/html, application/json", ResponseMode.NotAcceptable)]
    public void ChoosesTheResponseMode(string accept, ResponseMode mode) =>
        Assert.Equal(mode, MediaNegotiation.Choose(Encoding.ASCII.GetBytes(accept)));

    [Theory]
    [InlineData("gzip", true)]
    [InlineData("br, GZIP;q=0.5", true)]
    [InlineData("gzip;q=0", false)]
    [InlineData("deflate", false)]
    [InlineData("", false)]
    public void ReadsAcceptEncoding(string value, bool gzip) =>
        Assert.Equal(gzip, MediaNegotiation.AcceptsGzip(Encoding.ASCII.GetBytes(value)));

    [Theory]
    [InlineData("multipart/mixed; boundary=abc", "boundary", "abc")]
    [InlineData("multipart/mixed; charset=utf-8; BOUNDARY=\"a b\"", "boundary", "a b")]
    [InlineData("application/xml", "charset", "")]
    public void ReadsParameters(string contentType, string name, string value) =>
        Assert.Equal(value, Encoding.ASCII.GetString(MediaNegotiation.Parameter(Encoding.ASCII.GetBytes(contentType), Encoding.ASCII.GetBytes(name))));
}
