namespace Pix.Tests.Xml;

/// <summary>The Central Bank's XSDs and example messages, read from <c>{repo root}/../shared/reference/bcb-spi/</c>
/// (test data only: they are not shipped with Pix).</summary>
internal static class BcbReference
{
    public static readonly string Folder = FindFolder();

    public static string[] ExampleFiles() => Directory.GetFiles(Folder, "*_msg.xml").OrderBy(f => f, StringComparer.Ordinal).ToArray();

    public static byte[] Example(string name) => File.ReadAllBytes(Path.Combine(Folder, name));

    public static string Xsd(string name) => Path.Combine(Folder, name);

    public static readonly string[] XsdFiles = ["pacs.008.spi.1.13.xsd", "pacs.002.spi.1.14.xsd", "pacs.004.spi.1.5.xsd"];

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pix.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "reference", "bcb-spi"));
            }
        }
        throw new DirectoryNotFoundException("Pix.sln not found above " + AppContext.BaseDirectory);
    }
}
