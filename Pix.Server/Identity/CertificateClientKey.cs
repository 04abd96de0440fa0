using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections;
using Pix.Server.Http;

namespace Pix.Server.Identity;

/// <summary>
/// What <c>Pix:Limits:MaxConnectionsPerClient</c> counts by when clients have certificates: in mtls mode the client
/// certificate of the handshake (its SHA-256), so a participant's connections count together whatever address they
/// come from. In proxy mode a connection comes from the terminator and names no client until a request forwards a
/// certificate (and may carry many participants' requests): it is not counted per client; the terminator limits its own.
/// </summary>
internal sealed class CertificateClientKey : IConnectionClientKey
{
    public string? KeyOf(ConnectionContext connection) =>
        connection.Features.Get<PeerIdentity>()?.ClientCertificate?.GetCertHashString(HashAlgorithmName.SHA256);
}
