using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pix.Bench.Ceiling;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>ceiling [--listen 127.0.0.1:8090]</c>: serves the recorded Pix responses (201 for any POST, the ten-message 200
/// batch for any GET) until stopped, and prints where it listens in the line <c>reads</c> and <c>compare</c> wait for.
/// </summary>
internal static class CeilingCommand
{
    public const string Usage = "ceiling [--listen 127.0.0.1:8090]";

    public static async Task<int> RunAsync(CommandArguments options)
    {
        var listen = IPEndPoint.Parse(options.Text("listen") ?? "127.0.0.1:8090");
        if (!IPAddress.IsLoopback(listen.Address))
        {
            Console.Error.WriteLine("The ceiling listens on 127.0.0.1 only.");
            return 2;
        }
        var responses = await RecordedResponses.RecordAsync();
        await using var app = CeilingServer.Build(listen, responses);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"ceiling listening on {address}: POST -> {responses.Created.Length} B 201, GET -> {responses.Batch.Length} B 200 (recorded from Pix)");
        // compare asks for the process's allocated bytes on standard input: the ceiling has no metrics endpoint, and a
        // path of its own would be one more comparison per request.
        _ = Task.Run(async () =>
        {
            while (await Console.In.ReadLineAsync() is { } line)
            {
                if (line == "allocated") Console.WriteLine($"allocated {GC.GetTotalAllocatedBytes(precise: true)}");
            }
        });
        await app.WaitForShutdownAsync();
        return 0;
    }
}
