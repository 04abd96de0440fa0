namespace Pix.Server.Http;

/// <summary>What one parse attempt over the buffered bytes found.</summary>
internal enum ParseStatus : byte
{
    /// <summary>A whole request (head and framed body) was read.</summary>
    Complete,

    /// <summary>Nothing wrong so far, but more bytes are needed; the parse restarts at the same request.</summary>
    Incomplete,

    /// <summary>The request is malformed or over a limit: answer the error and close.</summary>
    Error,
}
