using System.Runtime.CompilerServices;

namespace Pix.Protocol.Signatures;

/// <summary>Where the parts of the signature, and the elements its references cover, are in the message: offsets
/// found by <see cref="SignatureReader"/> in one walk, with the namespace scopes the referenced subtrees inherit.</summary>
internal struct SignatureLayout
{
    public const int MaxReferences = 3;
    public const int MaxIds = 16;

    /// <summary>Where the XML starts (after a byte order mark).</summary>
    public int Start;
    public bool HasSgntr;
    public bool HasSignature;
    /// <summary>The ds:Signature element: its start tag's '&lt;' and the byte after its end tag.</summary>
    public int SignatureStart;
    public int SignatureEnd;

    public bool HasSignedInfo;
    public int SignedInfoStart;
    public NamespaceScope SignedInfoScope;
    public ByteRange CanonicalizationMethod;
    public ByteRange SignatureMethod;
    public int ReferenceCount;
    public ReferenceLayouts References;

    /// <summary>SignatureValue's content (base64 text).</summary>
    public ByteRange SignatureValue;

    public bool HasKeyInfo;
    public int KeyInfoStart;
    public NamespaceScope KeyInfoScope;
    /// <summary>KeyInfo's Id attribute (raw value).</summary>
    public ByteRange KeyInfoId;
    public int IssuerSerialCount;
    public ByteRange IssuerName;
    public ByteRange SerialNumber;

    public bool HasDocument;
    public int DocumentStart;
    public NamespaceScope DocumentScope;

    /// <summary>The Id attributes of other elements (raw values): a reference by Id must name exactly one element.</summary>
    public int IdCount;
    public Ids OtherIds;

    [InlineArray(MaxIds)]
    public struct Ids
    {
        private ByteRange _first;
    }
}
