using System.Text;

namespace Pix.Tests.Support;

/// <summary>A response as read off the wire.</summary>
internal sealed class RawResponse(int status, List<KeyValuePair<string, string>> headers, byte[] body)
{
    public int Status { get; } = status;
    public List<KeyValuePair<string, string>> Headers { get; } = headers;
    public byte[] Body { get; } = body;
    public string Text => Encoding.UTF8.GetString(Body);

    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public override string ToString() => $"{Status} {string.Join("; ", Headers.Select(h => h.Key + ": " + h.Value))}\n{Text}";
}
