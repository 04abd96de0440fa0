using Microsoft.Extensions.DependencyInjection;
using Pix.Server.Hosting;
using Pix.Storage;

// The disaster-recovery controller shares the binary and the configuration (docs/regions.md).
if (args.Length > 0 && args[0] == "dr") return await Pix.Server.Regions.DrCommand.RunAsync(args);

try
{
    await using var app = PixHost.Build(args);
    var store = app.Services.GetRequiredService<IQueueStore>();
    await app.StartAsync();
    var (icom, admin) = PixHost.BoundEndpoints(app);
    var options = app.Services.GetRequiredService<PixOptions>();
    // One line that says where Pix listens and what it stores into; tests and scripts read the ports from it.
    var region = string.IsNullOrWhiteSpace(options.Region) ? "" : $"; region {options.Region.Trim()} of {options.Regions}";
    Console.WriteLine($"Pix listening on http://{icom} (ICOM) and http://{admin} (operator); storage {store.Kind} at {Path.GetFullPath(options.DataDir)}{region}");
    await app.WaitForShutdownAsync();
    return 0;
}
catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException)
{
    Console.Error.WriteLine($"Pix could not start: {e.Message}");
    return 2;
}
