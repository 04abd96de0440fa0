namespace Pix.Server.Http;

/// <summary>Where <see cref="HttpRequestParser"/> stands in the current request between two reads.</summary>
internal enum BodyState : byte
{
    /// <summary>Waiting for a complete head; nothing of the request is consumed yet.</summary>
    Head,
    ContentLength,
    ChunkSizeLine,
    ChunkData,
    ChunkDataEnd,
    Trailers,
}
