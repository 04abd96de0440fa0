using System.Text;
using Pix.Protocol.Ids;
using Pix.Storage.Embedded.Dedup;

namespace Pix.Tests.Storage.Dedup;

/// <summary>Valid BizMsgIdrs and their keys, from a seed, and resource ids of one store instance.</summary>
internal static class DedupTestKeys
{
    private const string Base36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static readonly byte[] Instance = Enumerable.Range(1, 13).Select(i => (byte)(i * 17)).ToArray();

    public static ResourceId InstanceId => ResourceId.Create(Instance, 0);

    public static ResourceId Id(ulong sequence) => ResourceId.Create(Instance, sequence);

    public static readonly Ispb Sender = Ispb.Parse("12345678");

    public static string BizMsgIdr(Random random)
    {
        var text = new StringBuilder("M");
        for (var i = 0; i < 8; i++) text.Append(Base36[random.Next(36)]);
        for (var i = 0; i < 23; i++) text.Append(Base62[random.Next(62)]);
        return text.ToString();
    }

    public static DedupKey Key(int n) => DedupKey.Of(Sender, Encoding.ASCII.GetBytes(BizMsgIdr(new Random(n))));

    /// <summary>A key no <see cref="Key(int)"/> produces.</summary>
    public static DedupKey Absent(int n) => DedupKey.Of(Ispb.Parse("99999999"), Encoding.ASCII.GetBytes(BizMsgIdr(new Random(n))));
}
