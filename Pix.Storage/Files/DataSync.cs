using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pix.Storage.Files;

/// <summary>
/// Makes a file's data durable with <c>fdatasync</c> where the platform has it: unlike <c>fsync</c> (what
/// <see cref="RandomAccess.FlushToDisk"/> calls) it skips the inode when only its timestamps changed. Every write
/// changes the modification time, so on this machine's ext4 an <c>fsync</c> wrote the inode block as a second
/// synchronous device write after the data, for each group commit. A change of size is still made durable (the data
/// could not be read back without it), so a growing file or a truncation is as safe as before. Elsewhere: fsync.
/// </summary>
internal static partial class DataSync
{
    public static void Flush(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file);
            return;
        }
        if (Fdatasync(file) != 0) throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(SafeFileHandle fd);
}
