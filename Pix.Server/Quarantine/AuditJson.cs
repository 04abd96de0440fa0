using System.Text.Json.Serialization;

namespace Pix.Server.Quarantine;

/// <summary>Source-generated JSON for audit lines (camelCase, nulls left out).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuditRecord))]
internal sealed partial class AuditJson : JsonSerializerContext;
