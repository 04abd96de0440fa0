using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace Pix.Server.Hosting;

/// <summary>
/// Takes SIGTERM and SIGINT from the default console lifetime, which would stop the host at once: here they start
/// the drain (<see cref="NodeDrain"/>), which stops the host when it is done. A stop for another reason drains too.
/// </summary>
internal sealed class DrainLifetime(NodeDrain drain, IHostApplicationLifetime lifetime) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _signals = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT })
        {
            _signals.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                drain.OnSignal(context.Signal);
            }));
        }
        lifetime.ApplicationStopping.Register(drain.Begin);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _signals) registration.Dispose();
    }
}
