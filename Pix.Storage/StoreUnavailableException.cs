namespace Pix.Storage;

/// <summary>Storage cannot serve now (disk full, directory not writable, writer stopped, backend down or too slow).
/// On a write the outcome is unknown: the caller answers 503 and the client resends; dedup keeps that safe.</summary>
public sealed class StoreUnavailableException(string reason, Exception? inner = null) : Exception(reason, inner);
