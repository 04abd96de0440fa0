using Pix.Tests.Support;

namespace Pix.Tests.Bench;

/// <summary>
/// The ASP.NET Core baseline (<c>--Pix:Http aspnet</c>) must answer like the pipeline, or <c>pix-bench compare</c>
/// compares two different things: same status codes and ICOM headers for a POST, a stream start, a stale and a
/// malformed token.
/// </summary>
public sealed class AspNetModeParityTests
{
    [Fact]
    public async Task AspNetModeAnswersTheSameStatusCodesAsPipelineMode()
    {
        var pipeline = await ConversationAsync("pipeline");
        var aspnet = await ConversationAsync("aspnet");

        Assert.Equal(["201", "200", "ok", "ok", "410", "404", "200"], pipeline);
        Assert.Equal(pipeline, aspnet);
    }

    private static async Task<List<string>> ConversationAsync(string mode)
    {
        await using var server = await PixServerProcess.StartAsync("memory", null, ("Pix:Http", mode), ("Pix:Streams:LongPollSeconds", "1"));
        using var client = new IcomClient(server.Port);
        var psp = "PAR" + mode[..1].ToUpperInvariant() + "0001";
        var statuses = new List<string>();

        var post = await client.PostAsync("00038166", TestMessages.Pacs008("00038166", psp, "parity"));
        statuses.Add(post.Status.ToString());
        Assert.StartsWith("UEkB", post.Header("PI-ResourceId"));

        var start = await client.StartAsync(psp);
        statuses.Add(start.Status.ToString());
        var first = start.Header("PI-Pull-Next")!;
        Assert.StartsWith($"/api/v1/out/{psp}/stream/", first);
        Assert.Single(IcomClient.Messages(start));

        // Two reads later the first token is neither current nor previous: 410.
        var second = await client.GetAsync(first);
        statuses.Add(second.Status is 200 or 204 ? "ok" : second.Status.ToString());
        var third = await client.GetAsync(second.Header("PI-Pull-Next")!);
        statuses.Add(third.Status is 200 or 204 ? "ok" : third.Status.ToString());
        statuses.Add((await client.GetAsync(first)).Status.ToString());

        statuses.Add((await client.GetAsync($"/api/v1/out/{psp}/stream/not-a-token")).Status.ToString());
        statuses.Add((await client.DeleteAsync(third.Header("PI-Pull-Next")!)).Status.ToString());
        return statuses;
    }
}
