using Microsoft.Extensions.DependencyInjection;
using Pix.Server.Hosting;
using Pix.Server.Identity;
using Pix.Storage;
using Pix.Storage.Embedded;

// The disaster-recovery controller shares the binary and the configuration (docs/regions.md).
if (args.Length > 0 && args[0] == "dr") return await Pix.Server.Regions.DrCommand.RunAsync(args);

try
{
    await using var app = PixHost.Build(args);
    var store = app.Services.GetRequiredService<IQueueStore>();
    await app.StartAsync();
    var (icom, admin) = PixHost.BoundEndpoints(app);
    var options = app.Services.GetRequiredService<PixOptions>();
    var identity = app.Services.GetRequiredService<IcomIdentity>();
    // One line that says where Pix listens, what it stores into and who may call; tests and scripts read the ports from it.
    var region = string.IsNullOrWhiteSpace(options.Region) ? "" : $"; region {options.Region.Trim()} of {options.Regions}";
    Console.WriteLine($"Pix listening on {identity.Scheme}://{icom} (ICOM) and http://{admin} (operator); storage {store.Kind} at {Path.GetFullPath(options.DataDir)}; "
        + $"identity: {identity.Describe()}{region}");
    await app.WaitForShutdownAsync();
    return 0;
}
// A data directory the embedded store will not open (another build's format, a damaged log) is an operator's
// problem to read at a glance, not a crash with a stack trace.
catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException
    or StoreFormatException or LogCorruptedException)
{
    Console.Error.WriteLine($"Pix could not start: {e.Message}");
    return 2;
}
