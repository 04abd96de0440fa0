using System.Buffers;
using Pix.Protocol.Multipart;
using Pix.Protocol.Xml;
using Pix.Server.Quarantine;
using Pix.Server.Streams;
using Pix.Storage;

namespace Pix.Server.Icom;

/// <summary>
/// The scratch state of one request (batch, parked-poll waiter, append batch, buffers), taken from a pool for the
/// request and returned after, so steady-state requests allocate nothing.
/// </summary>
internal sealed class IcomExchange
{
    public MessageBatch Batch { get; } = new();
    public LongPollWaiter Waiter { get; } = new();
    public AppendBatch Appends { get; } = new();
    public MultipartPart[] Parts { get; } = new MultipartPart[MessageBatch.Capacity + 1];
    public ArrayBufferWriter<byte> Body { get; } = new(16 * 1024);
    public ArrayBufferWriter<byte> Compressed { get; } = new(16 * 1024);
    public ArrayBufferWriter<byte> Inflated { get; } = new(16 * 1024);
    public ArrayBufferWriter<byte> Notices { get; } = new(4 * 1024);
    public int[] Lengths { get; } = new int[MessageBatch.Capacity];
    public SkipSet Skipped { get; } = new();
    /// <summary>Each part's check result and header, kept from the checks until the messages are routed.</summary>
    public CheckedPart[] Checked { get; } = new CheckedPart[MessageBatch.Capacity];
    public Rejection[] Rejections { get; } = new Rejection[MessageBatch.Capacity];
    public int RejectionCount { get; set; }
    public NoticeTexts[] NoticeRanges { get; } = new NoticeTexts[MessageBatch.Capacity];

    /// <summary>What the pool may keep of an exchange's growable buffers. They start at 52 KiB together; an exchange
    /// that a large request grew past this (a 1 MiB gzip body inflates into <see cref="Inflated"/>) is dropped when
    /// returned rather than pooled, so the pool's memory stays bounded by its size, not by the largest request seen.</summary>
    public const int MaxPooledBufferBytes = 256 * 1024;

    /// <summary>The capacity of the growable buffers.</summary>
    public long BufferBytes => (long)Body.Capacity + Compressed.Capacity + Inflated.Capacity + Notices.Capacity;

    public void Reset()
    {
        Batch.Clear();
        Appends.Clear();
        RejectionCount = 0;
        Body.ResetWrittenCount();
        Compressed.ResetWrittenCount();
        Inflated.ResetWrittenCount();
        Notices.ResetWrittenCount();
    }
}

/// <summary>What the checks said of one part of an ingest request.</summary>
internal readonly record struct CheckedPart(CheckResult Result, AppHeader Header);
