namespace Pix.Storage.Embedded;

/// <summary>Another process (or another store in this one) holds the data directory's lock file.</summary>
public sealed class DataDirectoryInUseException(string message, Exception inner) : IOException(message, inner);
