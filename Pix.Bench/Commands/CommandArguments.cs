using System.Globalization;

namespace Pix.Bench.Commands;

/// <summary>The <c>--name value</c> options of a command.</summary>
internal sealed class CommandArguments(string[] args)
{
    public string? Text(string name)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public string Required(string name) => Text(name) ?? throw new ArgumentException($"--{name} is required.");

    public long Number(string name, long fallback) =>
        Text(name) is { } text ? long.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public bool Has(string name) => Array.IndexOf(args, "--" + name) >= 0;
}
