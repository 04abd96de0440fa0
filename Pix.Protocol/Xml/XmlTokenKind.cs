namespace Pix.Protocol.Xml;

internal enum XmlTokenKind : byte
{
    End = 0,
    Declaration,
    StartElement,
    EndElement,
    Text,
    CData,
    Error,
    /// <summary>Only when the tokenizer was asked to report them.</summary>
    ProcessingInstruction,
}
