using Pix.Storage.Queues;

namespace Pix.Tests.Storage;

/// <summary>A queue's checkpoint bytes, from the live queue or from a checkpoint's image of it, to compare the two.</summary>
internal static class QueueSnapshots
{
    public static byte[] Of(QueueImage image)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory)) image.WriteSnapshot(writer);
        return memory.ToArray();
    }

    public static byte[] Of(IspbQueue queue)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory)) queue.WriteSnapshot(writer);
        return memory.ToArray();
    }
}
