using System.Text;
using Pix.Protocol.Xml;
using Xunit.Abstractions;

namespace Pix.Tests.Xml;

/// <summary>Random byte edits (fixed seed) of valid messages: MessageCheck never throws and still agrees with the XSD.</summary>
public class ByteFuzzTests(ITestOutputHelper output)
{
    private static readonly CheckOptions XsdEquivalent = new() { RequireSignature = true, CrossFieldRules = false };
    private static readonly byte[] Interesting = "<>/&;=\"' \n\r\t#x:![]?-AZaz09M.E\u00E9"u8.ToArray();

    [Fact]
    public void RandomByteEditsAgreeWithTheXsd()
    {
        var random = new Random(20261125);
        var bases = SchemaDifferentialTests.BaseMessages().Select(b => VariantGenerator.Make(b.Name, b.Doc).Xml).ToArray();
        var disagreements = new List<string>();
        const int count = 20_000;
        var stricter = 0;
        for (var n = 0; n < count; n++)
        {
            var xml = Mutate(bases[n % bases.Length], random, out var what);
            var xsd = XsdOracle.Accepts(xml, out var why);
            var result = MessageCheck.Check(xml, XsdEquivalent, out _);
            if (xsd && result.RuleId == CheckRule.XmlDeclaration)
            {
                // Known stricter: .NET's reader takes any version value that starts with "1.0" ("1.0x", "1.0   ").
                stricter++;
            }
            else if (xsd != result.Ok && !result.IsCharsetError)
            {
                disagreements.Add($"{what}\n  XSD: {(xsd ? "valid" : why)}\n  MessageCheck: {result}\n  {Encoding.UTF8.GetString(xml)}");
            }
            else if (result.IsCharsetError && xsd)
            {
                disagreements.Add($"{what}: charset failure on a document the XSD accepts");
            }
        }
        output.WriteLine($"{count} byte edits, {disagreements.Count} disagreements, {stricter} known-stricter (XML declaration version)");
        foreach (var d in disagreements.Take(10)) output.WriteLine(d);
        Assert.Empty(disagreements);
    }

    private static byte[] Mutate(byte[] source, Random random, out string what)
    {
        var bytes = source.ToList();
        var at = random.Next(bytes.Count);
        switch (random.Next(4))
        {
            case 0:
                what = $"delete byte {at}";
                bytes.RemoveAt(at);
                break;
            case 1:
                var b = Interesting[random.Next(Interesting.Length)];
                what = $"insert 0x{b:X2} at {at}";
                bytes.Insert(at, b);
                break;
            case 2:
                var c = Interesting[random.Next(Interesting.Length)];
                what = $"replace byte {at} by 0x{c:X2}";
                bytes[at] = c;
                break;
            default:
                var length = Math.Min(random.Next(1, 40), bytes.Count - at);
                var to = random.Next(bytes.Count - length);
                what = $"copy {length} bytes from {at} to {to}";
                bytes.InsertRange(to, bytes.GetRange(at, length));
                break;
        }
        return bytes.ToArray();
    }
}
