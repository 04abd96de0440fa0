namespace Pix.Server.Http;

/// <summary>Where <see cref="HttpRequestParser"/> stands in the current request between two reads.</summary>
internal enum ParserState : byte
{
    /// <summary>Between requests: nothing of the next one has arrived.</summary>
    Idle,
    /// <summary>The request line, and any empty lines before it.</summary>
    RequestLine,
    Headers,
    ContentLength,
    ChunkSizeLine,
    ChunkData,
    ChunkDataEnd,
    Trailers,
}
