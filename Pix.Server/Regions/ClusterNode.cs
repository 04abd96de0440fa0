using System.Globalization;

namespace Pix.Server.Regions;

/// <summary>One line of <c>CLUSTER NODES</c> as one node sees it: who it is, its role, whom it replicates, the slots
/// it serves, and whether the seeing node thinks it failed.</summary>
internal sealed record ClusterNode(string Id, string EndPoint, bool IsPrimary, string? PrimaryId, bool Failing, IReadOnlyList<(int First, int Last)> Slots)
{
    public int SlotCount => Slots.Sum(s => s.Last - s.First + 1);

    public static List<ClusterNode> Parse(string text)
    {
        var nodes = new List<ClusterNode>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // <id> <ip:port@bus[,hostname]> <flags> <primary id or -> <ping> <pong> <epoch> <link> <slots...>
            var fields = line.Split(' ');
            if (fields.Length < 8) continue;
            var address = fields[1];
            var endPoint = address[..address.IndexOfAny(['@', ','])];
            var flags = fields[2].Split(',');
            var slots = new List<(int, int)>();
            foreach (var range in fields.Skip(8))
            {
                if (range.StartsWith('[')) continue; // a slot being migrated
                var bounds = range.Split('-');
                var first = int.Parse(bounds[0], CultureInfo.InvariantCulture);
                slots.Add((first, bounds.Length > 1 ? int.Parse(bounds[1], CultureInfo.InvariantCulture) : first));
            }
            nodes.Add(new ClusterNode(fields[0], endPoint, flags.Contains("master"), fields[3] == "-" ? null : fields[3],
                flags.Contains("fail") || flags.Contains("fail?"), slots));
        }
        return nodes;
    }
}
