using System.Buffers;
using System.Text;
using Pix.Protocol.Xml;

namespace Pix.Server.Signing;

/// <summary>Plugs <see cref="SpiSignature"/> into Pix.Protocol's writers (e.g. <see cref="Admi002Writer"/>). Allocates:
/// the server signs its admi.002 notices with it (rare), tools sign samples.</summary>
public sealed class SpiMessageSigner(SpiSignature signature) : IMessageSigner
{
    public static SpiMessageSigner Development { get; } = new(SpiSignature.Development);

    public SpiSignature Signature => signature;

    public void WriteSignature(ReadOnlySpan<byte> unsignedMessage, IBufferWriter<byte> output)
    {
        var document = SpiSignature.Load(unsignedMessage.ToArray());
        signature.Sign(document);
        var element = document.GetElementsByTagName("Signature", SpiSignature.DsNamespace)[0]!;
        output.Write(Encoding.UTF8.GetBytes(element.OuterXml));
    }
}
