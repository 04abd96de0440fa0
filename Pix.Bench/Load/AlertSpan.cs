namespace Pix.Bench.Load;

/// <summary>When an alert went pending, fired and resolved, in seconds since the run started (null: did not happen
/// during the run); <see cref="Series"/> counts its label sets (e.g. one per lagging ISPB).</summary>
internal sealed record AlertSpan(string Alert, double? PendingAt, double? FiringAt, double? ResolvedAt, int Series);
