using System.Net;

namespace Pix.Server.Identity;

/// <summary>A list of CIDR networks (<c>10.0.0.0/8, 2001:db8::/32</c>; a bare address is a /32 or /128).</summary>
public sealed class TrustedNetworks
{
    private readonly IPNetwork[] _networks;

    private TrustedNetworks(IPNetwork[] networks) => _networks = networks;

    public static TrustedNetworks None { get; } = new([]);

    public bool IsEmpty => _networks.Length == 0;

    public int Count => _networks.Length;

    public bool Contains(IPAddress? address)
    {
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in _networks)
        {
            if (network.Contains(address)) return true;
        }
        return false;
    }

    /// <summary>Parses CIDRs; throws <see cref="ArgumentException"/> naming <paramref name="setting"/> and the bad entry.</summary>
    public static TrustedNetworks Parse(IEnumerable<string> entries, string setting)
    {
        var networks = new List<IPNetwork>();
        foreach (var raw in entries)
        {
            var entry = raw.Trim();
            if (entry.Length == 0) continue;
            if (IPNetwork.TryParse(entry, out var network)) networks.Add(network);
            else if (IPAddress.TryParse(entry, out var address)) networks.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            else throw new ArgumentException($"{setting}: '{entry}' is not a CIDR network such as 10.0.0.0/8 or 2001:db8::/32.");
        }
        return new TrustedNetworks(networks.ToArray());
    }

    public static TrustedNetworks Parse(string commaSeparated, string setting) => Parse(commaSeparated.Split(','), setting);

    public override string ToString() => string.Join(", ", _networks);
}
