using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pix.Storage.Embedded;

/// <summary>Where and how the embedded store keeps its files.</summary>
public sealed class EmbeddedStoreOptions
{
    public required string DataDir { get; init; }

    /// <summary>A segment whose messages are all acknowledged is deleted once it is older than this.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(7);

    public TimeSpan DedupWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary><c>Pix:Embedded:DedupCacheMB</c>: memory for the dedup index's newest keys (four tables); older
    /// keys of the window are on disk in <c>{DataDir}/dedup/</c>, with filters of under 2 bytes per key in memory.</summary>
    public long DedupCacheBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>A segment is closed and a new one begun when a write would take it past this size.</summary>
    public long SegmentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>A checkpoint is written after this much log (and at every segment roll and clean shutdown), which
    /// bounds how much log a recovery replays.</summary>
    public long CheckpointBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>After a restart every open stream's idle clock starts again with this (<c>Pix:Streams:IdleTimeoutSeconds</c>).</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long and how many quarantined messages are kept per sender (their log records stay until then).</summary>
    public Pix.Storage.Quarantine.QuarantineLimits Quarantine { get; init; } = Pix.Storage.Quarantine.QuarantineLimits.Default;

    /// <summary><c>Pix:Limits:StorageTimeoutSeconds</c>: a call that waits longer than this for the disk gets
    /// <see cref="StoreUnavailableException"/> (503), and while the disk has not finished a write for this long appends
    /// get it at once.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>Pix:Embedded:Repair</c>: open a log with damaged records by setting the damaged bytes aside in
    /// <c>damaged/</c> (with a report of what they held) and keeping every valid record after them. Without it such a
    /// log stops the store from opening.</summary>
    public bool Repair { get; init; }

    public ILogger Logger { get; init; } = NullLogger.Instance;

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Every file and directory operation goes through this: the disk, or a simulated one in tests.</summary>
    internal Pix.Storage.Files.IFileLayer Files { get; init; } = Pix.Storage.Files.DiskFileLayer.Instance;
}
