namespace Pix.Server.Telemetry;

/// <summary><c>Pix:Telemetry:*</c>: where traces and metrics go over OTLP, and how many requests are traced.</summary>
public sealed class TelemetryOptions
{
    /// <summary>The collector's base address (e.g. <c>http://127.0.0.1:4318</c>); traces go to <c>{endpoint}/v1/traces</c>,
    /// metrics to <c>{endpoint}/v1/metrics</c>, as OTLP/HTTP protobuf. Empty: no export (metrics stay on /metrics).</summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary>Share of ICOM requests traced, 0 to 1, drawn by Pix whatever the client's <c>traceparent</c> flags say.</summary>
    public double TraceSampling { get; set; } = 0.01;

    /// <summary>How often spans and metrics are pushed to the collector.</summary>
    public double ExportIntervalSeconds { get; set; } = 5;
}
