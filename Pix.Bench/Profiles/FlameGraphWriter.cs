using System.Net;
using System.Text;

namespace Pix.Bench.Profiles;

/// <summary>
/// Writes folded stacks as a flame graph in SVG (Brendan Gregg's layout: x is share of samples, y is stack depth,
/// root at the bottom; hover a frame for its name, samples and share). Self-contained: no script, opens in a browser.
/// </summary>
internal static class FlameGraphWriter
{
    private const int Width = 1200;
    private const int FrameHeight = 16;
    private const int Top = 36;
    private const double MinWidth = 0.3;

    private sealed class Node(string name)
    {
        public string Name { get; } = name;
        public long Samples;
        public Dictionary<string, Node> Children { get; } = new();
    }

    public static void Write(FoldedStacks stacks, string title, string subtitle, TextWriter output)
    {
        var root = new Node("all");
        foreach (var (stack, count) in stacks.Counts)
        {
            var node = root;
            node.Samples += count;
            foreach (var frame in stack.Split(';'))
            {
                if (!node.Children.TryGetValue(frame, out var child)) node.Children[frame] = child = new Node(frame);
                child.Samples += count;
                node = child;
            }
        }
        var depth = Depth(root);
        var height = Top + (depth + 1) * FrameHeight + 20;
        output.WriteLine($"""<?xml version="1.0" standalone="no"?>""");
        output.WriteLine($"""<svg version="1.1" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" xmlns="http://www.w3.org/2000/svg">""");
        output.WriteLine("""<style>text { font-family: Verdana, sans-serif; font-size: 11px; fill: #000; } rect:hover { stroke: #000; stroke-width: 0.5; }</style>""");
        output.WriteLine($"""<rect x="0" y="0" width="{Width}" height="{height}" fill="#f8f8f8"/>""");
        output.WriteLine($"""<text x="{Width / 2}" y="16" text-anchor="middle" style="font-size:15px">{WebUtility.HtmlEncode(title)}</text>""");
        output.WriteLine($"""<text x="{Width / 2}" y="30" text-anchor="middle" style="font-size:11px;fill:#555">{WebUtility.HtmlEncode(subtitle)}</text>""");
        Draw(output, root, 10, Width - 20, 0, height - 20, root.Samples);
        output.WriteLine("</svg>");
    }

    private static int Depth(Node node) => node.Children.Count == 0 ? 0 : 1 + node.Children.Values.Max(Depth);

    // InvariantGlobalization: numbers format with '.' whatever the machine's locale.
    private static void Draw(TextWriter output, Node node, double x, double width, int level, int bottom, long total)
    {
        if (width < MinWidth) return;
        var y = bottom - (level + 1) * FrameHeight;
        var share = 100.0 * node.Samples / total;
        var label = WebUtility.HtmlEncode(node.Name);
        output.Write($"""<g><title>{label} ({node.Samples:N0} samples, {share:F2} %)</title><rect x="{x:F1}" y="{y}" width="{width:F1}" height="{FrameHeight - 1}" fill="{Color(node.Name)}" rx="2"/>""");
        var chars = (int)((width - 6) / 6.6);
        if (chars >= 3)
        {
            var text = node.Name.Length <= chars ? node.Name : node.Name[..(chars - 2)] + "..";
            output.Write($"""<text x="{x + 3:F1}" y="{y + 11}">{WebUtility.HtmlEncode(text)}</text>""");
        }
        output.WriteLine("</g>");
        var left = x;
        foreach (var child in node.Children.Values.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            var childWidth = width * child.Samples / node.Samples;
            Draw(output, child, left, childWidth, level + 1, bottom, total);
            left += childWidth;
        }
    }

    /// <summary>Kernel orange, Pix green, the rest of .NET blue, native runtime red; shade varies by name.</summary>
    private static string Color(string name)
    {
        var hash = (uint)name.GetHashCode(StringComparison.Ordinal) % 40;
        if (name.EndsWith("_[k]", StringComparison.Ordinal)) return $"rgb({215 + hash % 40},{120 + hash},{40})";
        if (name.Contains("Pix.", StringComparison.Ordinal)) return $"rgb({80 + hash},{180 + hash % 60},{80})";
        if (name.StartsWith('[') && !name.StartsWith("[System", StringComparison.Ordinal) && !name.StartsWith("[Microsoft", StringComparison.Ordinal))
            return $"rgb({220},{90 + hash},{80 + hash})";
        return $"rgb({90 + hash},{150 + hash},{220})";
    }

    /// <summary>The frames with the largest inclusive share (each counted once per sample), for the notes.</summary>
    public static IEnumerable<(string Frame, double Share)> Inclusive(FoldedStacks stacks, int top)
    {
        var inclusive = new Dictionary<string, long>();
        foreach (var (stack, count) in stacks.Counts)
        {
            foreach (var frame in stack.Split(';').Distinct()) inclusive[frame] = inclusive.GetValueOrDefault(frame) + count;
        }
        return inclusive.OrderByDescending(p => p.Value).Take(top).Select(p => (p.Key, (double)p.Value / stacks.Total));
    }

    /// <summary>Self time by frame: where the samples were taken.</summary>
    public static IEnumerable<(string Frame, double Share)> Self(FoldedStacks stacks, int top)
    {
        var self = new Dictionary<string, long>();
        foreach (var (stack, count) in stacks.Counts)
        {
            var leaf = stack[(stack.LastIndexOf(';') + 1)..];
            self[leaf] = self.GetValueOrDefault(leaf) + count;
        }
        return self.OrderByDescending(p => p.Value).Take(top).Select(p => (p.Key, (double)p.Value / stacks.Total));
    }
}
