using System.Runtime.CompilerServices;

namespace Pix.Protocol.Signatures;

/// <summary>One <c>SignedInfo/Reference</c> as found in the message.</summary>
internal struct ReferenceLayout
{
    public const int MaxTransforms = 2;

    /// <summary>The URI attribute's raw value, if the reference has one (absent and empty differ).</summary>
    public ByteRange Uri;
    public int TransformCount;
    public TransformAlgorithms Transforms;
    public ByteRange DigestMethod;
    /// <summary>DigestValue's content (base64 text).</summary>
    public ByteRange DigestValue;
    /// <summary>Where the reader is among Transforms, DigestMethod, DigestValue (0 to 3).</summary>
    public int Step;

    [InlineArray(MaxTransforms)]
    public struct TransformAlgorithms
    {
        private ByteRange _first;
    }
}

[InlineArray(SignatureLayout.MaxReferences)]
internal struct ReferenceLayouts
{
    private ReferenceLayout _first;
}
