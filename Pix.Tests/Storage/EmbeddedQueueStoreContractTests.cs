using Pix.Storage;
using Pix.Storage.Embedded;

namespace Pix.Tests.Storage;

public sealed class EmbeddedQueueStoreContractTests : QueueStoreContract, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    protected override IQueueStore CreateStore() => new EmbeddedQueueStore(new EmbeddedStoreOptions { DataDir = _directory.Path });

    public void Dispose() => _directory.Dispose();
}
