using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Ids;
using Pix.Protocol.Signatures;

namespace Pix.Server.Identity;

/// <summary>One entry of the participant registry.</summary>
public sealed class Participant(Ispb ispb, string name, TrustedNetworks networks, X509Certificate2Collection signingCertificates)
{
    public Ispb Ispb { get; } = ispb;
    public string Name { get; } = name;
    /// <summary>Where its clients may connect from; empty: anywhere.</summary>
    public TrustedNetworks Networks { get; } = networks;
    /// <summary>The certificates whose keys sign its messages (the XMLDSig check uses these instead of the client certificate).</summary>
    public X509Certificate2Collection SigningCertificates { get; } = signingCertificates;
    /// <summary>The same, prepared for signature verification.</summary>
    public SignerCertificate[] Signers { get; } = signingCertificates.Select(SignerCertificate.From).ToArray();

    public bool AllowsAddress(System.Net.IPAddress? address) => Networks.IsEmpty || Networks.Contains(address);
}
