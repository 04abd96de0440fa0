namespace Pix.Bench.Compare;

/// <summary>What compare measured for one HTTP mode.</summary>
internal sealed record ModeResult(
    string Mode, string ServerCommand,
    double SaturationRequestsPerSecond, double SaturationMessagesPerSecond, double CpuMicrosPerRequest, double AllocatedBytesPerRequest,
    double SaturationPostP99, double SaturationServerCpuShare, double SaturationClientCpuShare, double FixedRate, double FixedRequestsPerSecond, double FixedPostP50, double FixedPostP99, double FixedDeliveryP99,
    double FixedServerCpuShare, bool LedgerPassed);
