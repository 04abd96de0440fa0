using Pix.Protocol.Ids;
using Pix.Storage.Quarantine;
using Pix.Storage.Queues;

namespace Pix.Storage.Embedded;

/// <summary>What a checkpoint holds, marked under the store's state lock (counters, the queues to copy, the
/// outbox, quarantine) and written off it: each queue hands over its copy as it stood at the mark
/// (<see cref="IspbQueue.RequestCapture"/>).</summary>
internal sealed class StateCapture(ulong globalSequence, ulong lastStreamId, List<KeyValuePair<Ispb, IspbQueue>> queues,
    List<byte[]> outbox, List<QuarantineShelf.Entry> quarantined)
{
    public ulong GlobalSequence => globalSequence;

    public ulong LastStreamId => lastStreamId;

    public List<KeyValuePair<Ispb, IspbQueue>> Queues => queues;

    public List<byte[]> Outbox => outbox;

    public List<QuarantineShelf.Entry> Quarantined => quarantined;
}
