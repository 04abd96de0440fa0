using Pix.Protocol.Ids;

namespace Pix.Protocol.Streams;

/// <summary>What a <c>PI-Pull-Next</c> token names: the stream, the batch it just delivered, and the owner epoch
/// (so a token minted before a fail-over cannot acknowledge twice).</summary>
public readonly record struct PullToken(Ispb Ispb, ulong StreamId, uint Batch, uint Epoch);
