using Microsoft.AspNetCore.Connections;

namespace Pix.Server.Http;

/// <summary>
/// Who is at the other end of a connection, as far as <c>Pix:Limits:MaxConnectionsPerClient</c> counts: the seam
/// between the connection limits and the identity layer. Asked once per connection, after TLS. In <c>mtls</c> mode
/// the identity layer answers with its client certificate; without one (<c>off</c> mode, and tests) the remote
/// address is the key (<see cref="RemoteAddressKey"/>). Null: the connection is not counted per client.
/// </summary>
internal interface IConnectionClientKey
{
    string? KeyOf(ConnectionContext connection);
}
