using System.Buffers;
using System.IO.Compression;

namespace Pix.Server.Icom;

/// <summary>
/// gzip for bodies in both directions. Inflation stops at the body limit, so a gzip bomb costs at most the limit.
/// The BCL's <see cref="GZipStream"/> allocates its zlib state per use: the one documented allocation of the request path.
/// </summary>
internal sealed class Gzip(CompressionLevel level = CompressionLevel.Fastest)
{
    public void Compress(ReadOnlySpan<byte> source, ArrayBufferWriter<byte> destination)
    {
        destination.ResetWrittenCount();
        using var stream = new GZipStream(new BufferWriterStream(destination), level, leaveOpen: false);
        stream.Write(source);
    }

    public enum InflateResult { Ok, TooLarge, Corrupt }

    public InflateResult Inflate(ReadOnlyMemory<byte> source, ArrayBufferWriter<byte> destination, int limit)
    {
        destination.ResetWrittenCount();
        try
        {
            using var input = new ReadOnlyMemoryStream(source);
            using var stream = new GZipStream(input, CompressionMode.Decompress);
            while (true)
            {
                var span = destination.GetSpan(8192);
                var room = Math.Min(span.Length, limit + 1 - destination.WrittenCount);
                var read = stream.Read(span[..room]);
                if (read == 0) return InflateResult.Ok;
                destination.Advance(read);
                if (destination.WrittenCount > limit) return InflateResult.TooLarge;
            }
        }
        catch (InvalidDataException)
        {
            return InflateResult.Corrupt;
        }
    }
}
