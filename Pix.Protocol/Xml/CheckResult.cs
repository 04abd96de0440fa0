using System.Diagnostics.CodeAnalysis;

namespace Pix.Protocol.Xml;

/// <summary>The outcome of <see cref="MessageCheck.Check"/>: ok, or which rule broke and where.</summary>
public readonly struct CheckResult
{
    private readonly ElementPath _location;

    internal CheckResult(CheckFailure failure, CheckRule rule, int offset, in ElementPath location)
    {
        Failure = failure;
        RuleId = rule;
        Offset = offset;
        _location = location;
    }

    public bool Ok => Failure == CheckFailure.None;

    public CheckFailure Failure { get; }

    public CheckRule RuleId { get; }

    /// <summary>UTF-8 text of the broken rule (a static literal).</summary>
    public ReadOnlySpan<byte> Rule => CheckRuleText.Of(RuleId);

    /// <summary>Element path of the failure, e.g. <c>/Envelope/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[2]/PmtId/EndToEndId</c>;
    /// empty when the failure is before the root element. Call on a variable (the span points into this struct).</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Location => _location.Bytes;

    /// <summary>Byte offset in the message where the failure was detected (for the audit record).</summary>
    public int Offset { get; }

    /// <summary>The message is not UTF-8: the server answers 400 charset rather than quarantining it.</summary>
    public bool IsCharsetError => Failure == CheckFailure.Charset;

    public static CheckResult Success => default;

    public override string ToString() => Ok ? "ok" :
        $"{Failure}/{RuleId} at {_location} (byte {Offset}): {System.Text.Encoding.UTF8.GetString(Rule)}";
}
