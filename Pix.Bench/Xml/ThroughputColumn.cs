using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Pix.Bench.Xml;

/// <summary>Message bytes checked per second (MB/s, 10^6), from the mean time and the message size.</summary>
internal sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);
    public string ColumnName => "MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Message megabytes (10^6) checked per second";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        var name = benchmarkCase.Parameters["Message"] as string;
        if (report?.ResultStatistics is null || name is null) return "-";
        var bytes = XmlBenchMessages.Load(name).Length;
        var seconds = report.ResultStatistics.Mean / 1e9;
        return (bytes / seconds / 1e6).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
