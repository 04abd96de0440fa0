using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pix.Protocol.Ids;

namespace Pix.Server.Identity;

/// <summary>
/// The optional participant registry (<c>Pix:Participants:Path</c>): with it, only the listed ISPBs exist on the
/// ICOM listener, each reachable only from its networks, and each message's signature is checked against the
/// certificates listed for its sender. The file:
/// <code>
/// { "participants": [
///     { "ispb": "00038166", "name": "SPI", "networks": ["10.1.0.0/16"], "signingCertificates": ["spi-signing.pem"] },
///     { "ispb": "10000001", "name": "Banco Um", "networks": [], "signingCertificates": ["-----BEGIN CERTIFICATE-----\n..."] } ] }
/// </code>
/// A signing certificate is a PEM file path (relative to the registry's folder) or inline PEM; networks empty or
/// absent means any address.
/// </summary>
public sealed class ParticipantRegistry
{
    private readonly FrozenDictionary<Ispb, Participant> _participants;

    private ParticipantRegistry(FrozenDictionary<Ispb, Participant> participants, string path)
    {
        _participants = participants;
        Path = path;
    }

    public string Path { get; }
    public int Count => _participants.Count;

    public Participant? Find(Ispb ispb) => _participants.GetValueOrDefault(ispb);

    /// <summary>Reads and checks the file; throws <see cref="ArgumentException"/> naming the entry that is wrong.</summary>
    public static ParticipantRegistry Load(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"Pix:Participants:Path '{path}' does not exist.");
        RegistryFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), RegistryJson.Default.RegistryFile);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Pix:Participants:Path '{path}' is not valid JSON: {e.Message}", e);
        }
        if (file?.Participants is null) throw new ArgumentException($"Pix:Participants:Path '{path}' has no \"participants\" array.");
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var participants = new Dictionary<Ispb, Participant>();
        for (var i = 0; i < file.Participants.Length; i++)
        {
            var entry = file.Participants[i];
            var where = $"Pix:Participants:Path '{path}', participants[{i}]";
            if (entry.Ispb is null || !Ispb.TryParse(System.Text.Encoding.ASCII.GetBytes(entry.Ispb), out var ispb))
                throw new ArgumentException($"{where}: \"ispb\" must be 8 characters of [0-9A-Z], not '{entry.Ispb}'.");
            if (participants.ContainsKey(ispb)) throw new ArgumentException($"{where}: ISPB {ispb} is listed twice.");
            var networks = TrustedNetworks.Parse(entry.Networks ?? [], $"{where} ({ispb}) networks");
            var certificates = new X509Certificate2Collection();
            foreach (var item in entry.SigningCertificates ?? [])
            {
                try
                {
                    if (item.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal)) certificates.ImportFromPem(item);
                    else certificates.ImportFromPemFile(System.IO.Path.Combine(folder, item));
                }
                catch (Exception e) when (e is CryptographicException or IOException)
                {
                    throw new ArgumentException($"{where} ({ispb}): signing certificate '{Shorten(item)}' could not be read: {e.Message}", e);
                }
            }
            var notRsa = certificates.FirstOrDefault(c => c.GetRSAPublicKey() is null);
            if (notRsa is not null)
                throw new ArgumentException($"{where} ({ispb}): signing certificate '{notRsa.Subject}' has no RSA key; messages are signed RSA-SHA256.");
            participants[ispb] = new Participant(ispb, entry.Name ?? "", networks, certificates);
        }
        return new ParticipantRegistry(participants.ToFrozenDictionary(), System.IO.Path.GetFullPath(path));
    }

    public string Describe() => $"{Count} participant(s) from {Path}";

    private static string Shorten(string item) => item.Length <= 60 ? item : item[..60] + "...";

    internal sealed class RegistryFile
    {
        public Entry[]? Participants { get; set; }
    }

    internal sealed class Entry
    {
        public string? Ispb { get; set; }
        public string? Name { get; set; }
        public string[]? Networks { get; set; }
        public string[]? SigningCertificates { get; set; }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ParticipantRegistry.RegistryFile))]
internal sealed partial class RegistryJson : JsonSerializerContext;
