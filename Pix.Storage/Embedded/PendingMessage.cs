
namespace Pix.Storage.Embedded;

/// <summary>A message of the group being committed: applied to its queue once the group's fsync returned.</summary>
internal readonly record struct PendingMessage(MessageRecord Record, long PayloadOffsetInGroup);
