namespace Pix.Server.Quarantine;

/// <summary>Where one notice's reason, location and description sit, one after the other, in the exchange's scratch buffer.</summary>
internal readonly record struct NoticeTexts(int Start, int Reason, int Location, int Description)
{
    public (ReadOnlyMemory<byte> Reason, ReadOnlyMemory<byte> Location, ReadOnlyMemory<byte> Description) Slice(ReadOnlyMemory<byte> buffer) => (
        buffer.Slice(Start, Reason),
        buffer.Slice(Start + Reason, Location),
        buffer.Slice(Start + Reason + Location, Description));
}
