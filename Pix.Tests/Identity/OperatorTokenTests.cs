using System.Net;
using System.Net.Http.Headers;
using Pix.Tests.Support;

namespace Pix.Tests.Identity;

/// <summary>The operator listener: a bearer token from a file when one is configured (re-read when it changes), and a
/// refusal to start on a non-loopback address without one.</summary>
public sealed class OperatorTokenTests
{
    private const string Token = "operator-token-0123456789abcdef";

    private static async Task<HttpStatusCode> GetAsync(int port, string path, string? token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Unauthorized) Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        return response.StatusCode;
    }

    [Fact]
    public async Task WithATokenEveryOperatorRouteButHealthzNeedsIt()
    {
        using var folder = new TempDirectory("pix-token");
        var path = Path.Combine(folder.Path, "operator.token");
        await File.WriteAllTextAsync(path, Token + "\n");
        await using var server = await PixServerProcess.StartAsync("memory", null, ("Pix:Admin:TokenPath", path));

        Assert.Equal(HttpStatusCode.OK, await GetAsync(server.AdminPort, "/healthz", null));
        foreach (var route in new[] { "/readyz", "/metrics", "/admin/v1/ispb/10000001", "/admin/v1/quarantine" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(server.AdminPort, route, null));
            Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(server.AdminPort, route, Token + "x"));
            Assert.Equal(HttpStatusCode.OK, await GetAsync(server.AdminPort, route, Token));
        }

        // A rotated token is picked up without a restart; the old one stops working.
        TestCertificates.WriteReplacing(path, "rotated-token-fedcba9876543210\n");
        for (var i = 0; i < 100 && await GetAsync(server.AdminPort, "/readyz", Token) == HttpStatusCode.OK; i++) await Task.Delay(100);
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(server.AdminPort, "/readyz", Token));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server.AdminPort, "/readyz", "rotated-token-fedcba9876543210"));
    }

    [Fact]
    public async Task ANonLoopbackOperatorListenerWithoutATokenRefusesToStart()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PixServerProcess.StartAsync("memory", null, ("Pix:AdminListen", "0.0.0.0:0")));
        Assert.Contains("is not on loopback: set Pix:Admin:TokenPath", failure.Message);
    }

    [Fact]
    public async Task ATokenShorterThanSixteenCharactersRefusesToStart()
    {
        using var folder = new TempDirectory("pix-token");
        var path = Path.Combine(folder.Path, "operator.token");
        await File.WriteAllTextAsync(path, "short");
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PixServerProcess.StartAsync("memory", null, ("Pix:Admin:TokenPath", path)));
        Assert.Contains("must be at least 16 characters", failure.Message);
    }
}
