namespace Pix.Storage;

/// <summary>The answer to opening a stream: its id, or that all of the ISPB's slots are taken.</summary>
public readonly record struct OpenResult(bool Opened, ulong StreamId)
{
    public static OpenResult Full => new(false, 0);
}
