using System.Buffers;
using System.IO.Pipelines;

namespace Pix.Server.AspNet;

/// <summary>
/// A <see cref="PipeWriter"/> over a growable buffer: our <see cref="Http.HttpResponse"/> writes its status line,
/// headers and body here, and <see cref="HttpContextResponse"/> hands them to ASP.NET afterwards.
/// </summary>
internal sealed class CapturingPipeWriter : PipeWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.WrittenMemory;

    public void Reset() => _buffer.ResetWrittenCount();

    public override void Advance(int bytes) => _buffer.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _buffer.GetSpan(sizeHint);

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => new(new FlushResult(false, false));
}
