using Pix.Storage.Queues;

namespace Pix.Tests.Storage;

/// <summary>A queue's checkpoint bytes, from the live queue or from a checkpoint's image of it, to compare the two.</summary>
internal static class QueueSnapshots
{
    public static byte[] Of(QueueImage image)
    {
        var writer = new SnapshotWriter();
        image.WriteCompact(writer);
        return writer.Written.ToArray();
    }

    public static byte[] Of(IspbQueue queue)
    {
        var writer = new SnapshotWriter();
        queue.WriteCompact(writer);
        return writer.Written.ToArray();
    }
}
