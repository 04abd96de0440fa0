using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Pix.Server.Http;

/// <summary>Counts connections per remote IP address (the port differs for every connection of a client).</summary>
internal sealed class RemoteAddressKey : IConnectionClientKey
{
    public string? KeyOf(ConnectionContext connection) =>
        connection.RemoteEndPoint is IPEndPoint endpoint ? endpoint.Address.ToString() : null;
}
