using System.Security.Cryptography;
using Pix.Tests.Support;

namespace Pix.Tests.EndToEnd;

/// <summary><c>Pix:Tokens:KeyPath</c>: every node reading the same key file accepts each other's tokens; a node with
/// other keys does not.</summary>
public sealed class TokenKeyTests : IDisposable
{
    private readonly TempDirectory _keys = new("pix-keys");

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task NodesSharingAKeyFileAcceptEachOthersTokens()
    {
        var shared = Path.Combine(_keys.Path, "shared.keys");
        File.WriteAllText(shared, $"# first line signs\n3:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}\n");
        var other = Path.Combine(_keys.Path, "other.keys");
        File.WriteAllText(other, $"3:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}\n");
        (string, string)[] settings = [("Pix:Streams:LongPollSeconds", "0.1")];
        await using var a = await PixServerProcess.StartAsync("memory", null, [.. settings, ("Pix:Tokens:KeyPath", shared)]);
        await using var b = await PixServerProcess.StartAsync("memory", null, [.. settings, ("Pix:Tokens:KeyPath", shared)]);
        await using var c = await PixServerProcess.StartAsync("memory", null, [.. settings, ("Pix:Tokens:KeyPath", other)]);

        using var client = new IcomClient(a.Port);
        var started = await client.StartAsync("12345678");
        Assert.Equal(204, started.Status);
        var next = started.Header("PI-Pull-Next")!;

        // B verifies the token (its store has no such stream: 410); C cannot (a token it did not sign: 404).
        using var onB = new IcomClient(b.Port);
        Assert.Equal(410, (await onB.GetAsync(next)).Status);
        using var onC = new IcomClient(c.Port);
        Assert.Equal(404, (await onC.GetAsync(next)).Status);
    }

    [Fact]
    public async Task AKeyFileThatIsWrongStopsTheStartAndSaysWhy()
    {
        var broken = Path.Combine(_keys.Path, "broken.keys");
        File.WriteAllText(broken, "1:c2hvcnQ=\n");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PixServerProcess.StartAsync("memory", null, ("Pix:Tokens:KeyPath", broken)));
        Assert.Contains("at least 32", error.Message, StringComparison.Ordinal);
    }
}
