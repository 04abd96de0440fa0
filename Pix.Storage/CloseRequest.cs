using Pix.Protocol.Ids;

namespace Pix.Storage;

/// <summary>DELETE on the token of batch <see cref="Batch"/>: the current token acknowledges the batch and closes the
/// stream; the previous one (its answer was lost) closes it and puts the batch back at the head of the queue.</summary>
public readonly record struct CloseRequest(Ispb Ispb, ulong StreamId, uint Batch);

/// <summary>How a close went; <see cref="Released"/> messages went back to the queue (parked polls may take them).</summary>
public readonly record struct CloseResult(ReadStatus Status, int Released);
