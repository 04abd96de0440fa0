namespace Pix.Tests.Support;

/// <summary>Where the repository and the shared folder beside it are, found from the test assembly's location.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The team's shared folder (docs, conformance corpus, BCB references), a sibling of the repository.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string BcbReference => Path.Combine(Shared, "reference", "bcb-spi");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Pix.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Pix.sln not found above " + AppContext.BaseDirectory);
    }
}
