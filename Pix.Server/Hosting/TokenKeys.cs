using Pix.Protocol.Streams;
using Pix.Storage;

namespace Pix.Server.Hosting;

/// <summary>
/// Where the token keys come from: <c>Pix:Tokens:KeyPath</c> (a file every node of a deployment reads, one
/// <c>id:base64</c> key per line, the first signing), else the store's shared key (Redis: created once, used by every
/// node), else <c>{DataDir}/token.key</c> (one node).
/// </summary>
internal static class TokenKeys
{
    public static TokenKeyRing Load(PixOptions options, string dataDir, IQueueStore store)
    {
        if (!string.IsNullOrWhiteSpace(options.Tokens.KeyPath))
        {
            var path = Path.GetFullPath(options.Tokens.KeyPath);
            if (!File.Exists(path)) throw new FileNotFoundException($"Pix:Tokens:KeyPath names {path}, which does not exist.", path);
            return TokenKeyRing.Parse(File.ReadAllText(path), path);
        }
        if (store is ITokenKeySource shared) return TokenKeyRing.Single(shared.SharedTokenKeyAsync().AsTask().GetAwaiter().GetResult());
        return TokenKeyRing.Single(TokenKeyFile.LoadOrCreate(dataDir));
    }
}
