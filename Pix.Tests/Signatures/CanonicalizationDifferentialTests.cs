using System.Security.Cryptography;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using Pix.Bench.Signatures;
using Pix.Protocol.Signatures;
using Pix.Protocol.Xml;
using Pix.Server.Signing;

namespace Pix.Tests.Signatures;

/// <summary>
/// The canonicalizer on its own against .NET, on random documents (<see cref="RandomXml"/>) far wider than SPI
/// messages: the whole document as SignedXml digests <c>URI=""</c>, an element referenced by Id as SignedXml digests
/// <c>#id</c>, and an element as XmlDsigExcC14NTransform digests it once imported alone (the reference without URI).
/// </summary>
public sealed class CanonicalizationDifferentialTests
{
    private const int Documents = 1500;
    private static readonly byte[] HmacKey = new byte[32];

    [Fact]
    public void TheWholeDocumentDigestsAsSignedXmlDigestsUriEmpty() => ForEachDocument((xml, document, _, random) =>
    {
        var expected = SignedXmlDigest(document, "");
        var actual = Digest(xml, (ref DigestSink sink) => ExclusiveCanonicalizer.DocumentWithout(xml, Start(xml), -1, -1, ref sink));
        return expected.AsSpan().SequenceEqual(actual) ? null : "URI=\"\"";
    });

    [Fact]
    public void AnElementReferencedByIdDigestsAsSignedXmlDigestsIt() => ForEachDocument((xml, document, ids, random) =>
    {
        if (ids.Count == 0) return null;
        var id = ids[random.Next(ids.Count)];
        var expected = SignedXmlDigest(document, "#" + id);
        var at = ElementStarts(xml)[IndexOf(document, (XmlElement)document.SelectSingleNode($"//*[@Id='{id}']")!)];
        var actual = Digest(xml, (ref DigestSink sink) => ExclusiveCanonicalizer.Element(xml, at, ScopeAt(xml, at), CanonicalSource.Reparsed, ref sink));
        return expected.AsSpan().SequenceEqual(actual) ? null : "#" + id;
    });

    [Fact]
    public void AnElementDigestsAsXmlDsigExcC14NTransformDigestsItImportedAlone() => ForEachDocument((xml, document, _, random) =>
    {
        var elements = document.SelectNodes("//*")!.Cast<XmlElement>().ToList();
        var pick = random.Next(elements.Count);
        var expected = SignedXmlVerifier.DocumentDigest(elements[pick]);
        var at = ElementStarts(xml)[pick];
        var actual = Digest(xml, (ref DigestSink sink) => ExclusiveCanonicalizer.Element(xml, at, ScopeAt(xml, at), CanonicalSource.ImportedElement, ref sink));
        return expected.AsSpan().SequenceEqual(actual) ? null : $"element {pick} ({elements[pick].Name})";
    });

    private delegate string? Check(byte[] xml, XmlDocument document, List<string> ids, Random random);

    private delegate bool Pass(ref DigestSink sink);

    private static void ForEachDocument(Check check)
    {
        var random = new Random(7_001);
        var generator = new RandomXml(random);
        var failures = new List<string>();
        for (var i = 0; i < Documents; i++)
        {
            var text = generator.Document(out var ids);
            var xml = Encoding.UTF8.GetBytes(text);
            var document = SpiSignature.Load(xml);
            var failed = check(xml, document, ids, random);
            if (failed is not null) failures.Add($"document {i}, {failed}:\n{text}\n.NET's exclusive C14N of the whole document: {Canonical(document)}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {Documents} documents differ; first:\n{failures.FirstOrDefault()}");
    }

    private static int Start(byte[] xml) => xml.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;

    private static byte[] Digest(byte[] xml, Pass pass)
    {
        Span<byte> chunk = stackalloc byte[512];
        var digest = new byte[DigestSink.DigestLength];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sink = new DigestSink(hash, chunk, 1 << 24);
        var ok = pass(ref sink);
        sink.Finish(digest);
        Assert.True(ok, "the canonicalizer refused a well-formed document:\n" + Encoding.UTF8.GetString(xml));
        return digest;
    }

    /// <summary>SignedXml's digest of a reference (URI "" with enveloped-signature, or #id), both then exclusive C14N.</summary>
    private static byte[] SignedXmlDigest(XmlDocument document, string uri)
    {
        var signed = new SignedXml(document);
        var reference = new Reference(uri) { DigestMethod = SignedXml.XmlDsigSHA256Url };
        if (uri.Length == 0) reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        reference.AddTransform(new XmlDsigExcC14NTransform());
        signed.AddReference(reference);
        using var hmac = new HMACSHA256(HmacKey);
        signed.ComputeSignature(hmac);
        return reference.DigestValue!;
    }

    private static string Canonical(XmlDocument document)
    {
        var c14n = new XmlDsigExcC14NTransform();
        c14n.LoadInput(document);
        using var reader = new StreamReader((Stream)c14n.GetOutput(typeof(Stream)));
        return reader.ReadToEnd();
    }

    private static int IndexOf(XmlDocument document, XmlElement element) =>
        document.SelectNodes("//*")!.Cast<XmlElement>().ToList().IndexOf(element);

    /// <summary>The offsets of every start tag, in document order.</summary>
    private static List<int> ElementStarts(byte[] xml)
    {
        var starts = new List<int>();
        var tokens = new XmlTokenizer(xml, Start(xml));
        XmlTokenKind kind;
        while ((kind = tokens.Next()) is not (XmlTokenKind.End or XmlTokenKind.Error))
        {
            if (kind == XmlTokenKind.StartElement) starts.Add(tokens.TokenStart);
        }
        return starts;
    }

    /// <summary>The namespace declarations in scope at the element starting at <paramref name="at"/> (its ancestors').</summary>
    private static NamespaceScope ScopeAt(byte[] xml, int at)
    {
        var scope = new NamespaceScope();
        var marks = new Stack<int>();
        var tokens = new XmlTokenizer(xml, Start(xml));
        while (true)
        {
            var kind = tokens.Next();
            if (kind == XmlTokenKind.StartElement)
            {
                if (tokens.TokenStart == at) return scope;
                var mark = scope.Mark;
                Assert.True(scope.DeclareAll(xml, ref tokens));
                if (tokens.SelfClosing) scope.Restore(mark);
                else marks.Push(mark);
            }
            else if (kind == XmlTokenKind.EndElement) scope.Restore(marks.Pop());
            else if (kind is XmlTokenKind.End or XmlTokenKind.Error) throw new InvalidOperationException("no element at " + at);
        }
    }
}
