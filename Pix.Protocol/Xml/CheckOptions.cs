namespace Pix.Protocol.Xml;

/// <summary>How strict <see cref="MessageCheck.Check"/> is. <c>default</c> is the production setting: the fields are
/// stored inverted so that a zero-initialised struct means "signature required, cross-field rules on".</summary>
public readonly struct CheckOptions
{
    public const int DefaultMaxDepth = 32;
    public const int DefaultMaxElements = 50_000;

    private readonly bool _allowUnsigned;
    private readonly bool _skipCrossFieldRules;
    private readonly int _maxDepth;
    private readonly int _maxElements;

    /// <summary>AppHdr/Sgntr must hold an XMLDSig <c>Signature</c>. Off accepts the empty <c>&lt;Sgntr/&gt;</c> of the BCB examples.</summary>
    public bool RequireSignature { get => !_allowUnsigned; init => _allowUnsigned = !value; }

    /// <summary>Checks beyond the XSD: NbOfTxs equals the transaction count; amounts written with exactly two decimals.</summary>
    public bool CrossFieldRules { get => !_skipCrossFieldRules; init => _skipCrossFieldRules = !value; }

    /// <summary>Deepest element nesting allowed (the SPI messages need 11; capped at 64).</summary>
    public int MaxDepth { get => _maxDepth == 0 ? DefaultMaxDepth : _maxDepth; init => _maxDepth = Math.Clamp(value, 1, ElementPath.MaxDepth); }

    /// <summary>Most elements allowed in one message.</summary>
    public int MaxElements { get => _maxElements == 0 ? DefaultMaxElements : _maxElements; init => _maxElements = Math.Max(1, value); }

    public static CheckOptions Default => default;
    public static CheckOptions Unsigned => new() { RequireSignature = false };
}
