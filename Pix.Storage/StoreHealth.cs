namespace Pix.Storage;

/// <summary>Whether the store can take writes now, and if not, why (for <c>/readyz</c> and the health gauge).
/// A class, so an adapter can publish a new state with one reference write.</summary>
public sealed record StoreHealth(bool Healthy, string? Reason)
{
    public static StoreHealth Ok { get; } = new(true, null);

    public static StoreHealth Failing(string reason) => new(false, reason);
}
