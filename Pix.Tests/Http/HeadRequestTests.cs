namespace Pix.Tests.Http;

/// <summary>RFC 9110 9.3.2 over real sockets: a response to HEAD never carries a body, so the response after it
/// starts right where its head ends.</summary>
public sealed class HeadRequestTests
{
    [Fact]
    public async Task HeadIsAnsweredWithoutABodyAndTheNextResponseFollowsItsHead()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port,
            "HEAD /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"u8.ToArray());
        var second = text.IndexOf("HTTP/1.1 200", 1, StringComparison.Ordinal);
        Assert.True(second > 0, text);
        var head = text[..second];
        // The length GET would have: "Head /a 0 " is 10 bytes.
        Assert.Contains("Content-Length: 10\r\n", head);
        Assert.EndsWith("\r\n\r\n", head);
        Assert.EndsWith("Get /b 0 ", text);
    }

    [Fact]
    public async Task AnErrorAnswerToHeadHasNoBodyEither()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        // No Host: 400, with the problem document's length but not the document.
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port, "HEAD /a HTTP/1.1\r\nAccept: */*\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 400 ", text);
        Assert.Contains("Content-Type: application/problem+xml", text);
        Assert.Matches(@"Content-Length: [1-9]\d*\r\n", text);
        Assert.EndsWith("\r\n\r\n", text);
        Assert.DoesNotContain("<", text);
    }

    [Fact]
    public async Task AFailingHandlerAnswersHeadWithoutABody()
    {
        await using var server = await PixHttpTestServer.StartAsync();
        var text = await RawHttpClient.SendAndReadToEndAsync(server.Port, "HEAD /throw HTTP/1.1\r\nHost: h\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 503 ", text);
        Assert.Contains("Retry-After: 1\r\n", text);
        Assert.EndsWith("\r\n\r\n", text);
        Assert.DoesNotContain("<", text);
    }
}
