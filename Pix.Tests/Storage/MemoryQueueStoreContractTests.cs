using Pix.Storage;
using Pix.Storage.Memory;
using Pix.Storage.Quarantine;

namespace Pix.Tests.Storage;

public sealed class MemoryQueueStoreContractTests : QueueStoreContract
{
    protected override IQueueStore CreateStore(QuarantineLimits quarantine) => new MemoryQueueStore(TimeSpan.FromHours(24), null, quarantine);
}
