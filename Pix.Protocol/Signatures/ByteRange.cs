namespace Pix.Protocol.Signatures;

/// <summary>A range of the message bytes that was found (an attribute value, an element's content).</summary>
internal struct ByteRange
{
    public int Start;
    public int End;
    public bool Found;

    public void Set(int start, int end)
    {
        Start = start;
        End = end;
        Found = true;
    }

    public readonly ReadOnlySpan<byte> Of(ReadOnlySpan<byte> xml) => xml[Start..End];
}
