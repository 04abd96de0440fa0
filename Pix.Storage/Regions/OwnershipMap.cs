using System.Globalization;
using System.Text;
using Pix.Protocol.Ids;

namespace Pix.Storage.Regions;

/// <summary>
/// Who owns which ISPB, at an epoch: every ISPB belongs to its home region (<see cref="RegionRing.Home"/>) unless an
/// override names another, and a region the disaster-recovery controller evacuated is served by the region it was
/// moved to. Each change makes a new map with a higher epoch; the epoch is what the store's fences compare.
/// Stored as a few lines of text (<c>epoch 7</c>, <c>evacuated sp us</c>, <c>override 00038166 us</c>, <c>op ...</c>),
/// so an operator can read it with <c>redis-cli</c> and the controller can publish it whole.
/// </summary>
public sealed class OwnershipMap
{
    private readonly Dictionary<string, string> _evacuated;
    private readonly Dictionary<Ispb, string> _overrides;

    private OwnershipMap(long epoch, Dictionary<string, string> evacuated, Dictionary<Ispb, string> overrides, string? operation)
    {
        Epoch = epoch;
        _evacuated = evacuated;
        _overrides = overrides;
        Operation = operation;
    }

    /// <summary>The map a deployment starts with: every ISPB at home, epoch 1.</summary>
    public static OwnershipMap Initial { get; } = new(1, [], [], null);

    public long Epoch { get; }

    /// <summary>Failed regions and the region that serves their ISPBs now.</summary>
    public IReadOnlyDictionary<string, string> Evacuated => _evacuated;

    public IReadOnlyDictionary<Ispb, string> Overrides => _overrides;

    /// <summary>A controller step that started and has not finished (shown by <c>dr status</c>; re-running the
    /// command completes it).</summary>
    public string? Operation { get; }

    /// <summary>Some region is evacuated: the others run alone, durable on their own replicas (degraded).</summary>
    public bool SingleRegion => _evacuated.Count > 0;

    /// <summary>The region that serves <paramref name="ispb"/>, given its home.</summary>
    public string OwnerOf(Ispb ispb, string home)
    {
        var region = _overrides.TryGetValue(ispb, out var chosen) ? chosen : home;
        return _evacuated.TryGetValue(region, out var serving) ? serving : region;
    }

    /// <summary>Whether <paramref name="region"/> serves nothing now.</summary>
    public bool IsEvacuated(string region) => _evacuated.ContainsKey(region);

    /// <summary>The map after <paramref name="from"/> failed and <paramref name="to"/> took its ISPBs.</summary>
    public OwnershipMap Evacuate(string from, string to)
    {
        var evacuated = _evacuated.Where(e => e.Key != from).ToDictionary(e => e.Key, e => e.Value == from ? to : e.Value);
        evacuated[from] = to;
        return new(Epoch + 1, evacuated, new(_overrides), null);
    }

    /// <summary>The map after <paramref name="region"/> took its ISPBs back.</summary>
    public OwnershipMap Return(string region) =>
        new(Epoch + 1, _evacuated.Where(e => e.Key != region).ToDictionary(e => e.Key, e => e.Value), new(_overrides), null);

    /// <summary>Sets (or with null removes) the override of one ISPB.</summary>
    public OwnershipMap Assign(Ispb ispb, string? region)
    {
        var overrides = new Dictionary<Ispb, string>(_overrides);
        if (region is null) overrides.Remove(ispb);
        else overrides[ispb] = region;
        return new(Epoch + 1, new(_evacuated), overrides, null);
    }

    /// <summary>The same map with a step marked as begun (null: none), at the same epoch.</summary>
    public OwnershipMap WithOperation(string? operation) => new(Epoch, new(_evacuated), new(_overrides), operation);

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"epoch {Epoch}\n");
        foreach (var (from, to) in _evacuated.OrderBy(e => e.Key, StringComparer.Ordinal)) text.Append(CultureInfo.InvariantCulture, $"evacuated {from} {to}\n");
        foreach (var (ispb, region) in _overrides.OrderBy(e => e.Key.Packed)) text.Append(CultureInfo.InvariantCulture, $"override {ispb} {region}\n");
        if (Operation is not null) text.Append(CultureInfo.InvariantCulture, $"op {Operation}\n");
        return text.ToString();
    }

    /// <summary>Reads the text form; a line it does not know is an error (a map from a newer version must not be
    /// half understood).</summary>
    public static OwnershipMap Parse(string text)
    {
        long? epoch = null;
        var evacuated = new Dictionary<string, string>();
        var overrides = new Dictionary<Ispb, string>();
        string? operation = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', 3);
            switch (fields[0])
            {
                case "epoch" when fields.Length == 2:
                    epoch = long.Parse(fields[1], CultureInfo.InvariantCulture);
                    break;
                case "evacuated" when fields.Length == 3:
                    evacuated[fields[1]] = fields[2];
                    break;
                case "override" when fields.Length == 3:
                    overrides[Ispb.Parse(fields[1])] = fields[2];
                    break;
                case "op" when fields.Length >= 2:
                    operation = line[3..];
                    break;
                default:
                    throw new FormatException($"The ownership map has a line this version does not know: '{line}'.");
            }
        }
        return new OwnershipMap(epoch ?? throw new FormatException("The ownership map has no epoch line."), evacuated, overrides, operation);
    }
}
