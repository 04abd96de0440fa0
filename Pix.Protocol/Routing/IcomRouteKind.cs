namespace Pix.Protocol.Routing;

public enum IcomRouteKind : byte
{
    /// <summary>No ICOM path matched: 404.</summary>
    Unknown = 0,
    /// <summary><c>/api/v1/in/{ispb}/msgs</c></summary>
    Ingest,
    /// <summary><c>/api/v1/out/{ispb}/stream/start</c></summary>
    StreamStart,
    /// <summary><c>/api/v1/out/{ispb}/stream/{token}</c></summary>
    StreamToken,
}
