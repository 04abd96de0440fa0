using StackExchange.Redis;

namespace Pix.Storage.Redis;

/// <summary>
/// Group replication waits for one primary: a write is durable once a <c>WAIT n</c> sent after its reply (on the
/// same connection, so it covers the write) returns at least one replica. A WAIT blocks the connection while it
/// waits, so writes that complete meanwhile do not each send their own: they join the next WAIT, which covers all of
/// them, as a group commit shares one fsync.
/// </summary>
internal sealed class ReplicaWait(IServer server, int timeoutMilliseconds, Func<int> replicas)
{
    private readonly Lock _lock = new();
    private bool _inFlight;
    private TaskCompletionSource? _next;

    public Task WaitAsync()
    {
        lock (_lock)
        {
            if (!_inFlight)
            {
                _inFlight = true;
                var round = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _ = RunAsync(round);
                return round.Task;
            }
            // The WAIT in flight may have been sent before this write: wait for the one after it.
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _next.Task;
        }
    }

    private async Task RunAsync(TaskCompletionSource round)
    {
        while (true)
        {
            try
            {
                // Read per round: regions switch between two replicas and one (single-region mode) while running.
                var needed = replicas();
                var acknowledged = (long)await server.ExecuteAsync("WAIT", needed, timeoutMilliseconds).ConfigureAwait(false);
                if (acknowledged >= needed) round.TrySetResult();
                else round.TrySetException(new StoreUnavailableException($"{acknowledged} of the {needed} replicas of {server.EndPoint} confirmed the write within {timeoutMilliseconds} ms"));
            }
            catch (Exception ex)
            {
                round.TrySetException(new StoreUnavailableException($"Waiting for a replica of {server.EndPoint} failed: {ex.Message}", ex));
            }
            lock (_lock)
            {
                if (_next is null)
                {
                    _inFlight = false;
                    return;
                }
                round = _next;
                _next = null;
            }
        }
    }
}
