namespace Pix.Server.Streams;

/// <summary><c>Pix:Streams:*</c>: long-poll wait, idle expiry, slots per ISPB, batch size.</summary>
public sealed class StreamOptions
{
    public double LongPollSeconds { get; set; } = 5;
    public double IdleTimeoutSeconds { get; set; } = 30;
    public int MaxPerIspb { get; set; } = 6;
    public int MaxBatch { get; set; } = 10;
    /// <summary>How often parked polls and idle streams are swept; bounds the timing error of both.</summary>
    public double SweepMilliseconds { get; set; } = 50;

    public TimeSpan LongPoll => TimeSpan.FromSeconds(LongPollSeconds);
    public TimeSpan IdleTimeout => TimeSpan.FromSeconds(IdleTimeoutSeconds);
}
