using Pix.Protocol.Xml;

namespace Pix.Server.Quarantine;

/// <summary>Why one message of a request goes to quarantine instead of its receiver.</summary>
internal readonly struct Rejection(int index, RejectionCause cause, CheckResult result, AppHeader header)
{
    public int Index { get; } = index;
    public RejectionCause Cause { get; } = cause;
    public CheckResult Result { get; } = result;
    public AppHeader Header { get; } = header;
}

internal enum RejectionCause : byte
{
    /// <summary>The message failed its XML checks.</summary>
    Check,
    /// <summary>A PSP addressed another PSP; only the SPI may.</summary>
    NotRoutable,
    /// <summary>The sender is isolated: everything it sends is quarantined until an operator releases it.</summary>
    Isolated,
}
