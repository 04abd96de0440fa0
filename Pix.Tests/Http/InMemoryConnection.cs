using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Pix.Tests.Http;

/// <summary>
/// A connection made of two in-memory pipes whose continuations run inline: writing a request into
/// <see cref="Client"/> runs the whole connection loop on the calling thread, so allocations can be counted.
/// </summary>
internal sealed class InMemoryConnection : ConnectionContext
{
    private static readonly PipeOptions Inline = new(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 0, useSynchronizationContext: false);

    private readonly Pipe _toServer = new(Inline);
    private readonly Pipe _toClient = new(Inline);
    private readonly CancellationTokenSource _closed = new();

    public InMemoryConnection()
    {
        Transport = new Duplex(_toServer.Reader, _toClient.Writer);
        Client = new Duplex(_toClient.Reader, _toServer.Writer);
    }

    /// <summary>The client's end: write requests to its output, read responses from its input.</summary>
    public IDuplexPipe Client { get; }

    public override IDuplexPipe Transport { get; set; }

    public override string ConnectionId { get; set; } = "in-memory";

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException();
    }

    public override ValueTask DisposeAsync()
    {
        _closed.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
