using Pix.Protocol.Ids;

namespace Pix.Storage;

/// <summary>
/// Wake-ups for appends made by other nodes sharing the store, so a long poll parked on one node answers within
/// milliseconds when another stores a message for its participant. Only remote stores have one (in-process stores
/// are only ever written by their own node, which wakes its polls itself).
/// </summary>
public interface IAppendFeed
{
    /// <summary>From now on <paramref name="appended"/> is called with the participant and how many messages became
    /// claimable (appended, or released back to the queue), by any node. Idempotent.</summary>
    void Watch(Ispb ispb, Action<Ispb, int> appended);
}
