using System.Buffers;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;
using Pix.Server.Streams;
using Pix.Storage;
using Pix.Storage.Notices;

namespace Pix.Server.Quarantine;

/// <summary>
/// Sends the outbox: builds each pending admi.002, signs it (off the request path: signing costs an RSA operation),
/// and hands it to the store, which puts it in the receiver's queue and removes the entry in one step. The notice's
/// BizMsgIdr is derived from the entry id, so an entry sent twice (a crash between, or two nodes racing) is one
/// message. Woken by ingest when it stored notices; on a shared store it also looks every few seconds, for entries a
/// node left behind when it died.
/// </summary>
internal sealed partial class NoticeDispatcher : IAsyncDisposable
{
    private const int Batch = 64;
    private static readonly TimeSpan DefaultSweep = TimeSpan.FromSeconds(2);
    private readonly IQueueStore _store;
    private readonly StreamEngine _engine;
    private readonly IMessageSigner? _signer;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _sent;

    public NoticeDispatcher(IQueueStore store, StreamEngine engine, IMessageSigner? signer, ILogger<NoticeDispatcher> log)
    {
        _store = store;
        _engine = engine;
        _signer = signer;
        _log = log;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>How often the outbox is looked at without a signal. Each look costs a timed wait on the semaphore
    /// (a few hundred bytes); the allocation benchmarks lengthen it so it is not divided among their requests.</summary>
    internal TimeSpan Sweep { get; set; } = DefaultSweep;

    /// <summary>Notices sent by this node since start (tests and metrics).</summary>
    public long Sent => Volatile.Read(ref _sent);

    public void Signal()
    {
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    private async Task RunAsync()
    {
        var pending = new List<PendingNotice>();
        var output = new ArrayBufferWriter<byte>(4096);
        var backoff = TimeSpan.Zero;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (backoff > TimeSpan.Zero) await Task.Delay(backoff, _stop.Token).ConfigureAwait(false);
                else if (pending.Count < Batch) await _signal.WaitAsync(Sweep, _stop.Token).ConfigureAwait(false);
                pending.Clear();
                await _store.PendingNoticesAsync(pending, Batch, _stop.Token).ConfigureAwait(false);
                foreach (var notice in pending) await SendAsync(notice, output).ConfigureAwait(false);
                backoff = TimeSpan.Zero;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The entries stay in the outbox; the next round sends them.
                LogFailed(ex);
                pending.Clear();
                backoff = TimeSpan.FromSeconds(1);
            }
        }
    }

    private async Task SendAsync(PendingNotice notice, ArrayBufferWriter<byte> output)
    {
        var bizMsgIdr = new byte[32];
        Span<byte> entry = stackalloc byte[ResourceId.ByteLength];
        notice.EntryId.WriteBytes(entry);
        Admi002Writer.WriteDerivedBizMsgIdr(entry, bizMsgIdr);
        output.ResetWrittenCount();
        Write(notice, bizMsgIdr, output);
        if (await _store.DeliverNoticeAsync(notice, output.WrittenMemory.ToArray(), bizMsgIdr, _stop.Token).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _sent);
            _engine.NotifyAppended(notice.To, 1);
        }
    }

    private void Write(PendingNotice notice, byte[] bizMsgIdr, ArrayBufferWriter<byte> output)
    {
        Span<byte> idText = stackalloc byte[ResourceId.TextLength];
        notice.Message.WriteText(idText);
        var reject = new Admi002Reject
        {
            To = notice.To,
            BizMsgIdr = bizMsgIdr,
            // A rejection names its message: by BizMsgIdr when it was readable, else by the PI-ResourceId it got.
            RelatedReference = notice.Reference.Length > 0 ? notice.Reference : notice.Kind == NoticeKind.Rejected ? idText : default,
            Reason = notice.Reason,
            ErrorLocation = notice.Location,
            Description = notice.Description,
            RejectedAt = DateTimeOffset.FromUnixTimeMilliseconds(notice.CreatedAtUnixMs).UtcDateTime,
        };
        Admi002Writer.Write(output, reject, _signer);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
        _signal.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending admi.002 notices from the outbox failed; they stay there and are tried again")]
    private partial void LogFailed(Exception e);
}
