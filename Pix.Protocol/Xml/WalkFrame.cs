using System.Runtime.CompilerServices;
using Pix.Protocol.Xml.Schema;

namespace Pix.Protocol.Xml;

internal enum FrameMode : byte
{
    Complex,
    Simple,
    Signature,
    Skip,
}

/// <summary>One open element while walking a message: where it is in its parent's sequence and what it may hold.</summary>
internal struct WalkFrame
{
    public ElementDecl? Decl;
    public FrameMode Mode;
    /// <summary>Index of the child declaration being matched, and how many times it has matched so far.</summary>
    public int Child;
    public int Count;
    public int NameStart;
    public int NameLength;
    public int LocalOffset;
    public int Occurrence;
    public int BindingMark;
    public bool SawChild;
}

[InlineArray(ElementPath.MaxDepth)]
internal struct WalkFrames
{
    private WalkFrame _first;
}

/// <summary>An <c>xmlns</c> declaration in scope: offsets of its prefix (empty for the default namespace) and URI.</summary>
internal struct NamespaceBinding
{
    public int PrefixStart;
    public int PrefixLength;
    public int UriStart;
    public int UriLength;
}

[InlineArray(MaxBindings)]
internal struct NamespaceBindings
{
    public const int MaxBindings = 32;
    private NamespaceBinding _first;
}
