namespace Pix.Server.Health;

/// <summary>A health source's answer: healthy, or not with a one-line reason an operator can act on.</summary>
internal readonly record struct HealthStatus(bool Healthy, string Reason)
{
    public static HealthStatus Ok { get; } = new(true, "");

    public static HealthStatus Failing(string reason) => new(false, reason);
}
