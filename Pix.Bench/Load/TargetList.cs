using System.Net;

namespace Pix.Bench.Load;

/// <summary>
/// The Pix nodes a run talks to (<c>--targets URL[,URL...]</c>, or one <c>--target</c>): each new connection takes
/// the next one, round-robin, as a TCP load balancer would hand them out. Loopback only: a load generator pointed
/// elsewhere by mistake is a denial of service.
/// </summary>
internal sealed class TargetList
{
    private readonly IPEndPoint[] _endpoints;
    private int _next = -1;

    public TargetList(IReadOnlyList<Uri> targets)
    {
        if (targets.Count == 0) throw new ArgumentException("Give at least one target.");
        foreach (var target in targets)
        {
            if (!IPAddress.TryParse(target.Host, out var address) || !IPAddress.IsLoopback(address))
                throw new ArgumentException($"Targets must be 127.0.0.1 ({target} is not).");
        }
        Uris = targets;
        _endpoints = targets.Select(t => new IPEndPoint(IPAddress.Parse(t.Host), t.Port)).ToArray();
    }

    public IReadOnlyList<Uri> Uris { get; }

    /// <summary>Parses <c>http://127.0.0.1:8080,http://127.0.0.1:8081</c>.</summary>
    public static TargetList Parse(string text) =>
        new(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => new Uri(t)).ToList());

    public IPEndPoint Next() => _endpoints[(int)((uint)Interlocked.Increment(ref _next) % (uint)_endpoints.Length)];

    public override string ToString() => string.Join(",", Uris);
}
