namespace Pix.Bench.Commands; internal static class CompareCommand { public static Task<int> RunAsync(string[] args) => Task.FromResult(2); }
