namespace Pix.Storage.Regions;

/// <summary>
/// Redis Cluster's key → slot function (CRC16-XMODEM of the hash tag, or of the whole key without one, mod 16384),
/// so placement can choose a tag whose slot falls in a region's range without asking a server. Checked against
/// <c>CLUSTER KEYSLOT</c> in the tests.
/// </summary>
public static class HashSlot
{
    public const int Count = 16384;

    public static int Of(string key)
    {
        var open = key.IndexOf('{');
        if (open >= 0)
        {
            var close = key.IndexOf('}', open + 1);
            if (close > open + 1) key = key[(open + 1)..close];
        }
        return Crc16(key) % Count;
    }

    private static int Crc16(string text)
    {
        var crc = 0;
        foreach (var c in text)
        {
            // Keys here are ASCII (region names, ISPBs, digits).
            crc ^= (byte)c << 8;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
        }
        return crc;
    }
}
