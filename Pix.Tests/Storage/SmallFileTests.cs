using Pix.Storage.Files;

namespace Pix.Tests.Storage;

/// <summary>token.key and other small files that name an identity: written whole and durably, and never silently
/// replaced when they come back short.</summary>
public sealed class SmallFileTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void AFileOfTheWrongLengthIsAnErrorNamingItNotAReasonToMakeANewOne()
    {
        var path = Path.Combine(_directory.Path, "token.key");
        File.WriteAllBytes(path, new byte[10]);
        var refused = Assert.Throws<InvalidDataException>(() => SmallFile.ReadExactly(path, 32, "a token key"));
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Contains("holds 10 bytes", refused.Message, StringComparison.Ordinal);
        Assert.Equal(10, new FileInfo(path).Length);
        Assert.Null(SmallFile.ReadExactly(Path.Combine(_directory.Path, "absent.key"), 32, "a token key"));
    }

    [Fact]
    public void AWrittenFileReplacesTheOldOneWholeAndLeavesNoTemporary()
    {
        var path = Path.Combine(_directory.Path, "token.key");
        SmallFile.WriteDurably(path, new byte[32], ownerOnly: true);
        SmallFile.WriteDurably(path, Enumerable.Repeat((byte)7, 32).ToArray(), ownerOnly: true);
        Assert.Equal(Enumerable.Repeat((byte)7, 32).ToArray(), SmallFile.ReadExactly(path, 32, "a token key"));
        Assert.False(File.Exists(path + ".tmp"));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }
}
