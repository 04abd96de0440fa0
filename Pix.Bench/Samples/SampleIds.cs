using System.Security.Cryptography;
using Pix.Protocol.Ids;

namespace Pix.Bench.Samples;

/// <summary>Fresh SPI identifiers: BizMsgIdr/MsgId, EndToEndId and RtrId, unique per call (23 or 11 random characters).</summary>
public static class SampleIds
{
    private const string Alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary><c>M</c> + sender ISPB + 23 <c>[a-zA-Z0-9]</c>.</summary>
    public static string MsgId(Ispb sender) => "M" + sender + Random(23);

    /// <summary><c>E</c> + agent ISPB + <c>yyyyMMddHHmm</c> (UTC) + 11 <c>[a-zA-Z0-9]</c>.</summary>
    public static string EndToEndId(Ispb agent, DateTime utc) => "E" + agent + Minute(utc) + Random(11);

    /// <summary><c>D</c> + agent ISPB + <c>yyyyMMddHHmm</c> (UTC) + 11 <c>[a-zA-Z0-9]</c>.</summary>
    public static string RtrId(Ispb agent, DateTime utc) => "D" + agent + Minute(utc) + Random(11);

    public static string Digits(int count) => RandomNumberGenerator.GetString("0123456789", count);

    private static string Minute(DateTime utc) => utc.ToString("yyyyMMddHHmm", System.Globalization.CultureInfo.InvariantCulture);

    private static string Random(int count) => RandomNumberGenerator.GetString(Alphanumeric, count);
}
