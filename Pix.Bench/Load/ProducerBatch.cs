namespace Pix.Bench.Load;

/// <summary>One POST the producer owes: its first sequence number, its size, when the schedule wanted it sent, and
/// for each part the receiving PSP and whether the message is valid.</summary>
internal sealed record ProducerBatch(long FirstSeq, long IntendedTicks, string[] To, bool[] Valid)
{
    public int Count => To.Length;
}
