namespace Pix.Storage.Embedded;

/// <summary>
/// The log holds a damaged record with valid records after it: not a torn tail a crash can leave, but damage that
/// cutting would turn into silent loss of stored and acknowledged work. The store does not open; the message names
/// the segment, the offset and what the damaged bytes held, and how to repair (<c>--Pix:Embedded:Repair true</c>).
/// </summary>
public sealed class LogCorruptedException(string segment, long offset, string message) : Exception(message)
{
    /// <summary>The segment file's path.</summary>
    public string Segment { get; } = segment;

    /// <summary>Where in it the damage starts.</summary>
    public long Offset { get; } = offset;
}
