using Pix.Storage;
using Pix.Storage.Memory;

namespace Pix.Tests.Storage;

public sealed class MemoryQueueStoreContractTests : QueueStoreContract
{
    protected override IQueueStore CreateStore() => new MemoryQueueStore(TimeSpan.FromHours(24));
}
