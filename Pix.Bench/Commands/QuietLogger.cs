using BenchmarkDotNet.Loggers;

namespace Pix.Bench.Commands;

/// <summary>The gate's log: one line per benchmark as it starts, and every error; the rest of BenchmarkDotNet's
/// chatter stays out of CI logs, since the gate prints its own table.</summary>
internal sealed class QuietLogger : ILogger
{
    private bool _errorLine;
    private bool _progressLine;

    public string Id => nameof(QuietLogger);
    public int Priority => 0;

    public void Write(LogKind logKind, string text)
    {
        if (logKind == LogKind.Error)
        {
            _errorLine = true;
            Console.Error.Write(text);
        }
        else if (text.StartsWith("// Benchmark: ", StringComparison.Ordinal))
        {
            _progressLine = true;
            Console.Write("gate: running " + text["// Benchmark: ".Length..]);
        }
    }

    public void WriteLine()
    {
        if (_errorLine) Console.Error.WriteLine();
        if (_progressLine) Console.WriteLine();
        _errorLine = _progressLine = false;
    }

    public void WriteLine(LogKind logKind, string text)
    {
        Write(logKind, text);
        WriteLine();
    }

    public void Flush() => Console.Out.Flush();
}
