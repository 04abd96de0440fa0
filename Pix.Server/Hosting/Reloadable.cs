using Microsoft.Extensions.Logging;

namespace Pix.Server.Hosting;

/// <summary>
/// Something read from files that an operator may replace while Pix runs (the TLS material, the participant
/// registry, the operator token): loaded at start, where a bad file stops the start with a message naming it, then
/// reloaded when a file changes. A version that fails to load keeps the previous one in service and is logged as an
/// error; readers always see one whole version (<see cref="Current"/> is swapped, never edited).
/// </summary>
internal sealed partial class Reloadable<T> : IDisposable where T : class
{
    private readonly string _what;
    private readonly Func<int, T> _load;
    private readonly Func<T, string> _describe;
    private readonly ILogger _log;
    private readonly WatchedFiles _watched;
    private readonly Timer? _timer;
    private readonly Lock _reloading = new();
    private T _current;
    private int _generation = 1;

    /// <param name="load">Reads generation <c>n</c>; throws <see cref="ArgumentException"/> (or an I/O or crypto
    /// exception) naming the file and what is wrong.</param>
    public Reloadable(string what, IEnumerable<string> paths, Func<int, T> load, Func<T, string> describe, TimeSpan checkEvery, ILogger log)
    {
        _what = what;
        _load = load;
        _describe = describe;
        _log = log;
        _watched = new WatchedFiles(paths);
        _current = load(_generation);
        if (checkEvery > TimeSpan.Zero) _timer = new Timer(_ => CheckForChanges(), null, checkEvery, checkEvery);
    }

    public T Current => Volatile.Read(ref _current);

    /// <summary>Increases with every version put in service (1 at start).</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Called after each successful reload (e.g. to warn about a stale CRL).</summary>
    public Action<T>? Reloaded { get; set; }

    /// <summary>Reloads when a file changed; true when a new version is in service.</summary>
    public bool CheckForChanges()
    {
        lock (_reloading)
        {
            if (!_watched.Changed()) return false;
            try
            {
                var next = _load(_generation + 1);
                Volatile.Write(ref _current, next);
                Interlocked.Increment(ref _generation);
                LogReloaded(_what, _generation, _describe(next));
                Reloaded?.Invoke(next);
                return true;
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException
                or System.Security.Cryptography.CryptographicException or System.Text.Json.JsonException)
            {
                // A file caught mid-copy fails here too; the copy completing changes it again and the next check retries.
                LogReloadFailed(_what, e.Message, _generation);
                return false;
            }
        }
    }

    public void Dispose() => _timer?.Dispose();

    [LoggerMessage(1, LogLevel.Information, "{What} reloaded (version {Generation}): {Summary}")]
    private partial void LogReloaded(string what, int generation, string summary);

    [LoggerMessage(2, LogLevel.Error, "{What}: the files changed but could not be loaded ({Reason}); version {Generation} stays in service")]
    private partial void LogReloadFailed(string what, string reason, int generation);
}
