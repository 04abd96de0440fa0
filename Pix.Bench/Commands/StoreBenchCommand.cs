namespace Pix.Bench.Commands;

internal static class StoreBenchCommand
{
    public static Task<int> RunAsync(CommandLine args) => Task.FromResult(0);
}
