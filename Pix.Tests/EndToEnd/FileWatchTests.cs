using System.Globalization;
using Pix.Tests.Support;

namespace Pix.Tests.EndToEnd;

/// <summary>
/// The data directory may lie under the working directory (<c>dotnet run --project Pix.Server</c> puts it in
/// <c>Pix.Server/data</c>): nothing may watch it, or every log write wakes a watcher thread.
/// </summary>
public sealed class FileWatchTests
{
    [Fact]
    public async Task NoInotifyWatchCoversTheDataDirectoryUnderTheWorkingDirectory()
    {
        // The harness starts the server in this folder: a data directory inside it is what dotnet run makes.
        var data = Path.Combine(AppContext.BaseDirectory, $"data-watch-{Guid.NewGuid():N}");
        try
        {
            await using var server = await PixServerProcess.StartAsync("embedded", data);
            var watched = WatchedInodes(server.Pid);
            foreach (var folder in new[] { AppContext.BaseDirectory, data, Path.Combine(data, "log") })
            {
                var inode = Inode(folder);
                Assert.False(watched.Contains(inode), $"{folder} (inode {inode}) is watched by an inotify instance of the server");
            }
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>The inodes every inotify instance of the process watches (<c>/proc/PID/fdinfo</c>: "inotify wd:1 ino:1a2b ...").</summary>
    private static HashSet<long> WatchedInodes(int pid)
    {
        var inodes = new HashSet<long>();
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            string? target;
            try { target = new FileInfo(fd).LinkTarget; }
            catch (IOException) { continue; }
            if (target != "anon_inode:inotify") continue;
            foreach (var line in File.ReadLines($"/proc/{pid}/fdinfo/{Path.GetFileName(fd)}"))
            {
                if (!line.StartsWith("inotify ", StringComparison.Ordinal)) continue;
                var ino = line.Split(' ').First(part => part.StartsWith("ino:", StringComparison.Ordinal));
                inodes.Add(long.Parse(ino[4..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }
        return inodes;
    }

    private static long Inode(string path)
    {
        var (code, output) = Shell.Run("stat", $"-c %i {path}");
        Assert.True(code == 0, $"stat {path}: {output}");
        return long.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
