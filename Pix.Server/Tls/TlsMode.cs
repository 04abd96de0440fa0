namespace Pix.Server.Tls;

/// <summary>How the ICOM listener learns who is calling (<c>Pix:Tls:Mode</c>).</summary>
public enum TlsMode
{
    /// <summary>Kestrel terminates TLS and requires a client certificate chained to the participants' CA.</summary>
    Mtls,
    /// <summary>A TLS terminator in front verified the client certificate and forwards it in a header.</summary>
    Proxy,
    /// <summary>Plain HTTP, the ISPB in the path is trusted: development and tests only.</summary>
    Off,
}
