namespace Pix.Storage.Embedded;

/// <summary>
/// A file in the data directory is not in the format this build writes: another magic (a build from before format
/// versions, or not a Pix file at all) or another version (a newer Pix). Reading it as ours would misread it and
/// "repair" it into loss, so the store does not open; the message names the directory, the file, what was found
/// and what was expected.
/// </summary>
public sealed class StoreFormatException(string directory, string file, string found, string expected)
    : Exception($"The data directory {directory} holds {file} in another format: found {found}, expected {expected}. "
        + "The store will not open it: start the Pix build that wrote this directory, or move the directory aside to start empty.")
{
    /// <summary>The data directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>The file's path.</summary>
    public string File { get; } = file;

    /// <summary>What the file's header says (or that it has none).</summary>
    public string Found { get; } = found;

    /// <summary>The format this build reads.</summary>
    public string Expected { get; } = expected;
}
