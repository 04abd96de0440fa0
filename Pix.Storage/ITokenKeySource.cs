namespace Pix.Storage;

/// <summary>A store shared by several nodes keeps the deployment's token key, created once by whichever node comes
/// first, so a token minted by one node verifies on every other without any configuration.</summary>
public interface ITokenKeySource
{
    ValueTask<byte[]> SharedTokenKeyAsync(CancellationToken cancellationToken = default);
}
