namespace Pix.Tests.Allocation;

/// <summary>Allocation checks run alone: tests on other threads renting from <c>ArrayPool.Shared</c> at the same time
/// can leave its stacks empty, so a warm rent here would allocate through no fault of the code under test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation";
}
