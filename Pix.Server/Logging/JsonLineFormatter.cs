using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Pix.Server.Logging;

/// <summary>
/// <c>Pix:Logging:Json true</c>: one JSON object per line, for log shippers. Fields: <c>timestamp</c> (UTC, ISO 8601),
/// <c>level</c>, <c>category</c>, <c>message</c>, <c>eventId</c> and <c>event</c> when set, <c>traceId</c> and
/// <c>spanId</c> when a span is current (a sampled request), <c>ispb</c> when the message names one, the other
/// message fields under <c>fields</c>, and <c>exception</c>. Pix's own log messages never carry payload bytes or
/// tokens (a test greps a run's log for both); this formatter adds nothing that could.
/// </summary>
internal sealed class JsonLineFormatter() : ConsoleFormatter(Name)
{
    public new const string Name = "pix-json";
    private const string OriginalFormat = "{OriginalFormat}";

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = entry.Formatter?.Invoke(entry.State, entry.Exception);
        if (message is null && entry.Exception is null) return;
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DateTimeOffset.UtcNow);
            json.WriteString("level", entry.LogLevel.ToString());
            json.WriteString("category", entry.Category);
            json.WriteString("message", message ?? "");
            if (entry.EventId.Id != 0) json.WriteNumber("eventId", entry.EventId.Id);
            if (!string.IsNullOrEmpty(entry.EventId.Name)) json.WriteString("event", entry.EventId.Name);
            if (Activity.Current is { } span)
            {
                json.WriteString("traceId", span.TraceId.ToHexString());
                json.WriteString("spanId", span.SpanId.ToHexString());
            }
            if (entry.State is IReadOnlyList<KeyValuePair<string, object?>> fields) WriteFields(json, fields);
            if (entry.Exception is { } exception) json.WriteString("exception", exception.ToString());
            json.WriteEndObject();
        }
        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write('\n');
    }

    private static void WriteFields(Utf8JsonWriter json, IReadOnlyList<KeyValuePair<string, object?>> fields)
    {
        var opened = false;
        foreach (var (key, value) in fields)
        {
            if (key == OriginalFormat) continue;
            if (key.Equals("Ispb", StringComparison.OrdinalIgnoreCase))
            {
                json.WriteString("ispb", value?.ToString());
                continue;
            }
            if (!opened)
            {
                json.WriteStartObject("fields");
                opened = true;
            }
            json.WritePropertyName(JsonNamingPolicy.CamelCase.ConvertName(key));
            WriteValue(json, value);
        }
        if (opened) json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case int i: json.WriteNumberValue(i); break;
            case long l: json.WriteNumberValue(l); break;
            case ulong u: json.WriteNumberValue(u); break;
            case double d when double.IsFinite(d): json.WriteNumberValue(d); break;
            default: json.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }
}
