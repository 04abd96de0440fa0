using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Pix.Server.Hosting;

/// <summary>
/// The operator listener's bearer token (<c>Pix:Admin:TokenPath</c>, re-read when the file changes). The listener
/// stays on loopback by default; bound anywhere else it must have a token, or Pix refuses to start. With a token,
/// every operator route but <c>/healthz</c> (a liveness probe that says only "ok") needs
/// <c>Authorization: Bearer {token}</c>, else 401.
/// </summary>
internal sealed class OperatorToken : IDisposable
{
    private const int MinimumLength = 16;
    private readonly Reloadable<byte[]>? _token;

    private OperatorToken(Reloadable<byte[]>? token) => _token = token;

    /// <summary>Whether operator requests need the token (one is configured).</summary>
    public bool IsRequired => _token is not null;

    /// <summary>Without a token file the listener must be on loopback (then nothing is required).</summary>
    public static OperatorToken Create(PixOptions options, IPEndPoint adminEndpoint, ILoggerFactory logs)
    {
        var path = options.Admin.TokenPath;
        if (string.IsNullOrWhiteSpace(path))
        {
            if (IPAddress.IsLoopback(adminEndpoint.Address)) return new OperatorToken(null);
            throw new ArgumentException($"The operator listener ({adminEndpoint}) is not on loopback: set Pix:Admin:TokenPath to a file holding "
                + $"its bearer token (at least {MinimumLength} characters), or bind it to 127.0.0.1.");
        }
        var full = Path.GetFullPath(path);
        return new OperatorToken(new Reloadable<byte[]>("Operator token", [full], _ => Read(full), token => $"{token.Length} bytes from {full}",
            TimeSpan.FromSeconds(2), logs.CreateLogger<Reloadable<byte[]>>()));
    }

    /// <summary>Requires the token on the operator routes. <paramref name="isIcom"/> tells ICOM requests apart where
    /// both listeners share ASP.NET's pipeline (the aspnet baseline): they are not operator requests.</summary>
    public void Require(WebApplication app, Func<HttpContext, bool> isIcom)
    {
        if (_token is null) return;
        app.Use(async (context, next) =>
        {
            if (isIcom(context) || context.Request.Path == "/healthz" || Allows(context.Request.Headers.Authorization.ToString()))
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"pix-operator\"";
            await context.Response.WriteAsync("The operator listener needs Authorization: Bearer <token> (the token in Pix:Admin:TokenPath).\n");
        });
    }

    public bool Allows(string authorization)
    {
        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var presented = Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim());
        return _token is not null && CryptographicOperations.FixedTimeEquals(presented, _token.Current);
    }

    private static byte[] Read(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"Pix:Admin:TokenPath '{path}' does not exist.");
        var token = File.ReadAllText(path).Trim();
        if (token.Length < MinimumLength) throw new ArgumentException($"The operator token in '{path}' must be at least {MinimumLength} characters.");
        return Encoding.UTF8.GetBytes(token);
    }

    public void Dispose() => _token?.Dispose();
}
