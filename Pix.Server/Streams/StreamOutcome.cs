namespace Pix.Server.Streams;

/// <summary>How a stream request ended, and so which status the client gets.</summary>
public enum StreamOutcome : byte
{
    /// <summary>200 with messages, or 204 when the batch is empty after the long poll.</summary>
    Ok = 0,
    /// <summary>All slots taken: 429.</summary>
    Full,
    /// <summary>Closed, expired or unknown stream, or a superseded token: 410.</summary>
    Gone,
    /// <summary>A request is already in flight on this stream: 409.</summary>
    Busy,
}
