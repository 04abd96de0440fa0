using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pix.Server.Regions;

/// <summary>
/// What the disaster-recovery controller did, one JSON object per line in <c>{DataDir}/audit/dr.jsonl</c> (fsync'd per
/// line: a controller that crashes leaves the steps it took on record) and one readable line on the console.
/// </summary>
internal sealed class DrAudit(string path, TextWriter console)
{
    public string FilePath => path;

    public void Step(string step, string detail, long epoch = 0)
    {
        var at = DateTimeOffset.UtcNow;
        console.WriteLine($"{at:HH:mm:ss.fff} dr {step}: {detail}");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var line = JsonSerializer.Serialize(new DrRecord(at, step, detail, epoch), DrJson.Default.DrRecord) + "\n";
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        file.Write(System.Text.Encoding.UTF8.GetBytes(line));
        file.Flush(flushToDisk: true);
    }
}

internal sealed record DrRecord(DateTimeOffset Time, string Step, string Detail, long Epoch);

[JsonSerializable(typeof(DrRecord))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class DrJson : JsonSerializerContext;
