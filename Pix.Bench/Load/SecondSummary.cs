namespace Pix.Bench.Load;

/// <summary>One second of the run in summary.json (and the plots over time).</summary>
internal sealed record SecondSummary(int Second, long Requests, long Accepted, long Delivered, long Errors, long TooMany,
    double PostP50, double PostP99, double DeliveryP50, double DeliveryP99, double ServerRssMiB, double ServerHeapMiB);
