namespace Pix.Server.Quarantine;

/// <summary><c>Pix:Xml:*</c> for rejected messages: samples kept for on-call review and sender isolation.</summary>
public sealed class QuarantineOptions
{
    /// <summary>How many failing payloads are kept under <c>{DataDir}/samples/</c>.</summary>
    public int SampleLimit { get; set; } = 100;
    /// <summary>A sender whose failure share over the window exceeds this (0.005 = 0.5 %) is isolated.</summary>
    public double IsolateAboveRatio { get; set; } = 0.005;
    /// <summary>Messages a sender must have sent in the window before the ratio counts.</summary>
    public int IsolateMinMessages { get; set; } = 200;
    public double WindowSeconds { get; set; } = 300;
}
