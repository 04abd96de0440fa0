using System.IO.Pipelines;

namespace Pix.Bench.Embedded;

/// <summary>One side of an in-memory connection: what it reads from and what it writes to.</summary>
internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;
    public PipeWriter Output { get; } = output;
}
