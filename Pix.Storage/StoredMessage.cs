using Pix.Protocol.Ids;

namespace Pix.Storage;

/// <summary>A stored message as a queue knows it: its id, where the adapter keeps its bytes, and when it arrived.
/// <see cref="Position"/> means what the adapter wants it to (a log position, a key).</summary>
public readonly record struct StoredMessage(ResourceId Id, long Sequence, long Position, int Length, long StoredAtUnixMs);
