using System.Globalization;
using System.Text;
using System.Xml;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;

using Pix.Server.Signing;

namespace Pix.Bench.Samples;

/// <summary>Writes the SPI envelope and AppHdr around a Document body, with an empty Sgntr for the signer to fill.</summary>
internal sealed class SpiEnvelopeWriter
{
    private readonly MemoryStream _buffer = new();

    public SpiEnvelopeWriter(string type, string version, Ispb from, Ispb to, string bizMsgIdr, DateTime created)
    {
        Namespace = $"https://www.bcb.gov.br/pi/{type}/{version}";
        Xml = XmlWriter.Create(_buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false });
        Xml.WriteStartDocument();
        Xml.WriteStartElement("Envelope", Namespace);
        Xml.WriteStartElement("AppHdr", Namespace);
        Party("Fr", from);
        Party("To", to);
        Element("BizMsgIdr", bizMsgIdr);
        Element("MsgDefIdr", $"{type}.spi.{version}");
        Element("CreDt", DateTimeText(created));
        Xml.WriteStartElement("Sgntr", Namespace);
        Xml.WriteEndElement();
        Xml.WriteEndElement();
        Xml.WriteStartElement("Document", Namespace);
    }

    public string Namespace { get; }

    public XmlWriter Xml { get; }

    public void Start(string name) => Xml.WriteStartElement(name, Namespace);

    public void End() => Xml.WriteEndElement();

    public void Element(string name, string value) => Xml.WriteElementString(name, Namespace, value);

    public void Amount(string name, decimal value)
    {
        Start(name);
        Xml.WriteAttributeString("Ccy", "BRL");
        Xml.WriteString(value.ToString("0.00", CultureInfo.InvariantCulture));
        End();
    }

    public void Agent(string name, Ispb ispb)
    {
        Start(name);
        Start("FinInstnId");
        Start("ClrSysMmbId");
        Element("MmbId", ispb.ToString());
        End();
        End();
        End();
    }

    private void Party(string name, Ispb ispb)
    {
        Start(name);
        Start("FIId");
        Start("FinInstnId");
        Start("Othr");
        Element("Id", ispb.ToString());
        End();
        End();
        End();
        End();
    }

    /// <summary>Closes the envelope and signs it; returns the message text.</summary>
    public string Finish(SpiSignature? signature)
    {
        Xml.WriteEndDocument();
        Xml.Flush();
        var document = SpiSignature.Load(_buffer.ToArray());
        signature?.Sign(document);
        using var output = new MemoryStream();
        using (var writer = XmlWriter.Create(output, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            document.Save(writer);
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }

    public static string DateTimeText(DateTime utc)
    {
        Span<byte> text = stackalloc byte[IsoDateTimeText.Length];
        IsoDateTimeText.Write(text, utc);
        return Encoding.ASCII.GetString(text);
    }
}
