using Pix.Protocol.Ids;

namespace Pix.Storage;

/// <summary>A stream the idle reaper closed; its <see cref="Released"/> unacknowledged messages went back to the queue.</summary>
public readonly record struct ExpiredStream(Ispb Ispb, ulong StreamId, int Released);
