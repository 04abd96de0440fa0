using System.Xml;
using System.Xml.Schema;
using BenchmarkDotNet.Attributes;
using Pix.Protocol.Xml;

namespace Pix.Bench.Xml;

/// <summary>Pix's span checker against the obvious alternative, XmlReader validating with an XmlSchemaSet of the
/// BCB XSDs, on the same bytes. Both accept every input here (the signature is required and present).</summary>
[MemoryDiagnoser]
public class MessageCheckBenchmarks
{
    private byte[] _xml = [];
    private XmlReaderSettings _settings = new();
    private bool _invalid;

    [ParamsSource(nameof(Names))]
    public string Message { get; set; } = XmlBenchMessages.Sample8K;

    public static IEnumerable<string> Names => XmlBenchMessages.Names;

    [GlobalSetup]
    public void Setup()
    {
        _xml = XmlBenchMessages.Load(Message);
        _settings = new XmlReaderSettings
        {
            ValidationType = ValidationType.Schema,
            Schemas = XmlBenchMessages.Schemas(),
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
        };
        _settings.ValidationEventHandler += (_, _) => _invalid = true;
        if (!MessageCheck.Check(_xml, CheckOptions.Default, out _).Ok || !XmlReaderWithSchemaSet())
        {
            throw new InvalidOperationException($"{Message} is not valid for both checkers");
        }
    }

    [Benchmark(Baseline = true)]
    public bool XmlReaderWithSchemaSet()
    {
        _invalid = false;
        using var reader = XmlReader.Create(new MemoryStream(_xml, writable: false), _settings);
        while (reader.Read()) { }
        return !_invalid;
    }

    [Benchmark]
    public bool SpanMessageCheck() => MessageCheck.Check(_xml, CheckOptions.Default, out _).Ok;
}
