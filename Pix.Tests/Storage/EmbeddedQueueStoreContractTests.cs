using Pix.Storage;
using Pix.Storage.Embedded;
using Pix.Storage.Quarantine;

namespace Pix.Tests.Storage;

public sealed class EmbeddedQueueStoreContractTests : QueueStoreContract, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    protected override IQueueStore CreateStore(QuarantineLimits quarantine) =>
        new EmbeddedQueueStore(new EmbeddedStoreOptions { DataDir = Path.Combine(_directory.Path, Guid.NewGuid().ToString("N")), Quarantine = quarantine });

    public void Dispose() => _directory.Dispose();
}
