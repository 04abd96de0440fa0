using System.Buffers;

namespace Pix.Protocol.Xml;

/// <summary>
/// Signs a message Pix writes. Given the complete unsigned message (with an empty <c>&lt;Sgntr/&gt;</c>), writes the
/// one <c>ds:Signature</c> element that goes inside <c>Sgntr</c>. XMLDSig needs canonicalisation and RSA, so
/// implementations live outside Pix.Protocol (e.g. over System.Security.Cryptography.Xml) and may allocate.
/// </summary>
public interface IMessageSigner
{
    void WriteSignature(ReadOnlySpan<byte> unsignedMessage, IBufferWriter<byte> output);
}
