using Pix.Bench.Load;

namespace Pix.Tests.Bench;

/// <summary>
/// A PSP stream the load run's ledger knows nothing of: it reads and acknowledges batches (each GET acknowledges the
/// one before, the DELETE the last) and only counts the messages it took.
/// </summary>
internal sealed class RogueReader(LoadOptions options, string ispb)
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Taken { get; private set; }
    public int? LastDeleteStatus { get; private set; }
    public Task Finished => _finished.Task;

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            using var connection = new RoutedConnection(options, ispb);
            var response = await connection.SendAsync(IcomRequests.Start(ispb, gzip: false), CancellationToken.None);
            var next = response.PullNext;
            Count(response);
            while (!stop.IsCancellationRequested && next is not null)
            {
                response = await connection.SendAsync(IcomRequests.Get(next, gzip: false), CancellationToken.None);
                if (response.Status is not (200 or 204)) throw new InvalidOperationException($"the rogue's GET got {response.Status}");
                Count(response);
                next = response.PullNext;
            }
            if (next is not null) LastDeleteStatus = (await connection.SendAsync(IcomRequests.Delete(next), CancellationToken.None)).Status;
            _finished.SetResult();
        }
        catch (Exception e)
        {
            _finished.SetException(e);
        }
    }

    private void Count(IcomResponse response)
    {
        if (response.Status != 200) return;
        Taken += response.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true
            ? MultipartBody.ForEachPart(response.Body, response.ContentType, _ => { })
            : 1;
    }
}
