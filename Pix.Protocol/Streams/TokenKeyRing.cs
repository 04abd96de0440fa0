namespace Pix.Protocol.Streams;

/// <summary>
/// The HMAC keys of <c>PI-Pull-Next</c> tokens, each with a one-byte id that the token carries: the first key signs,
/// every key verifies, so a deployment rotates keys by putting a new one first and dropping the old one once no
/// token signed with it can still be current. Key id 0 also verifies tokens of the layout before key ids existed.
/// </summary>
public sealed class TokenKeyRing
{
    public const int MinimumKeyBytes = 32;
    private readonly byte[]?[] _byId = new byte[]?[256];

    public TokenKeyRing(IReadOnlyList<(byte Id, byte[] Secret)> keys)
    {
        if (keys.Count == 0) throw new ArgumentException("A token key ring needs at least one key.", nameof(keys));
        foreach (var (id, secret) in keys)
        {
            if (secret.Length < MinimumKeyBytes) throw new ArgumentException($"Token key {id} has {secret.Length} bytes; at least {MinimumKeyBytes} are needed.", nameof(keys));
            if (_byId[id] is not null) throw new ArgumentException($"Token key id {id} appears twice.", nameof(keys));
            _byId[id] = secret;
        }
        SigningId = keys[0].Id;
        Count = keys.Count;
    }

    public static TokenKeyRing Single(byte[] secret) => new([(0, secret)]);

    public byte SigningId { get; }

    public int Count { get; }

    public byte[]? Secret(byte id) => _byId[id];

    /// <summary>Parses a key file: one key per line, <c>id:base64</c> (id 0 to 255, at least 32 bytes each); blank
    /// lines and lines starting with <c>#</c> are ignored. The first key signs.</summary>
    public static TokenKeyRing Parse(string text, string source)
    {
        var keys = new List<(byte, byte[])>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var colon = line.IndexOf(':');
            if (colon <= 0 || !byte.TryParse(line.AsSpan(0, colon), out var id))
                throw new FormatException($"{source} line {number}: expected id:base64 with an id from 0 to 255.");
            byte[] secret;
            try
            {
                secret = Convert.FromBase64String(line[(colon + 1)..]);
            }
            catch (FormatException)
            {
                throw new FormatException($"{source} line {number}: the key is not base64.");
            }
            keys.Add((id, secret));
        }
        try
        {
            return new TokenKeyRing(keys);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"{source}: {ex.Message}");
        }
    }
}
