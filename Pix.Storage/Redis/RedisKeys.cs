using System.Text;
using Pix.Protocol.Ids;

namespace Pix.Storage.Redis;

/// <summary>
/// The key schema. Every key of a participant starts <c>pix:{ISPB}:</c>, so the hash tag puts its queue, streams,
/// claims, leases, idle deadlines and dedup keys on one cluster slot and each script is atomic on that shard. The tag
/// is built in one place, <see cref="RedisPlacement"/>: with regions it is region-prefixed (<c>pix:{sp:ISPB:n}:</c>).
/// </summary>
internal static class RedisKeys
{
    /// <summary>Participants whose streams may need reaping, scored by their next idle deadline (one slot).</summary>
    public static readonly StackExchange.Redis.RedisKey ReapIndex = "pix:{reap}:due";

    /// <summary>Participants whose outbox may hold entries (one slot): marked before the append that adds them, so a
    /// node that dies right after still leaves them findable by every other node's dispatcher.</summary>
    public static readonly StackExchange.Redis.RedisKey OutboxIndex = "pix:{outbox}:due";

    /// <summary>Every participant that ever had a queue or a stream (operator views).</summary>
    public static readonly StackExchange.Redis.RedisKey Participants = "pix:{participants}:all";

    /// <summary>The deployment's token key, when no key file is configured (created once, SET NX).</summary>
    public static readonly StackExchange.Redis.RedisKey TokenKey = "pix:{config}:token-key";

    /// <summary>The key a script is routed by (any key of the participant would do).</summary>
    public static StackExchange.Redis.RedisKey Route(string prefix) => prefix + "seq";

    /// <summary>The dedup key of a message: sender and BizMsgIdr, in the receiver's slot.</summary>
    public static byte[] Dedup(Ispb from, ReadOnlySpan<byte> bizMsgIdr)
    {
        var key = new byte[Ispb.Length + 1 + bizMsgIdr.Length];
        Encoding.ASCII.GetBytes(from.ToString(), key);
        key[Ispb.Length] = (byte)':';
        bizMsgIdr.CopyTo(key.AsSpan(Ispb.Length + 1));
        return key;
    }
}
