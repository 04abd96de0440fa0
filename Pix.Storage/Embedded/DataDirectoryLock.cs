using System.Globalization;

namespace Pix.Storage.Embedded;

/// <summary>
/// <c>pix.lock</c>, held open with <see cref="FileShare.None"/> (an exclusive <c>flock</c> on Unix) for the life of
/// the store, so two Pix processes never write one log. The kernel drops the lock when the process dies, even by
/// kill -9, so a stale file never blocks a restart. <c>pix.owner</c> beside it names the holder for the error message.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    public static DataDirectoryLock Acquire(string directory)
    {
        var path = Path.Combine(directory, "pix.lock");
        var ownerPath = Path.Combine(directory, "pix.owner");
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            var owner = File.Exists(ownerPath) ? File.ReadAllText(ownerPath).Trim() : "unknown";
            throw new DataDirectoryInUseException(
                $"The data directory {Path.GetFullPath(directory)} is in use by another Pix store ({owner}): {path} is locked. " +
                "Stop that process or give this one another Pix:DataDir.", ex);
        }
        var owner2 = string.Create(CultureInfo.InvariantCulture,
            $"pid {Environment.ProcessId} on {Environment.MachineName}, since {DateTime.UtcNow:O}");
        File.WriteAllText(ownerPath, owner2 + "\n");
        return new DataDirectoryLock(file);
    }

    public void Dispose() => _file.Dispose();
}
