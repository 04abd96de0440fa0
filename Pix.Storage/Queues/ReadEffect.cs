namespace Pix.Storage.Queues;

/// <summary>What a read changed: how many messages its acknowledgement settled, and whether it claimed new ones.
/// A durable adapter logs a read only when one of the two happened (an empty cycle changes nothing durable).</summary>
public struct ReadEffect
{
    public int Acknowledged;
    public bool Claimed;

    public readonly bool MustBeDurable => Acknowledged > 0 || Claimed;
}
