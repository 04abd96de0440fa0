using System.Buffers;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pix.Bench.Samples;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;
using Pix.Tests.Xml;
using static Pix.Tests.Signatures.MessageEdits;

namespace Pix.Tests.Signatures;

/// <summary>
/// The differential corpus: every base message (Pix's samples of each type, an admi.002, the Central Bank's
/// examples) written several ways before it is signed (as is; indented with LF, CRLF or tabs; character references;
/// prefixed elements, comments and processing instructions; redundant and unused namespace declarations, single
/// quotes, spaces in tags; CDATA, escapes, CR references, a byte order mark), its KeyInfo naming the certificate in
/// several spellings (or naming another), then edited after signing: edits exclusive C14N does not see (which must
/// keep it valid) and edits that change what is signed, the key or the signature (which must not). Seeded: the same
/// seed gives the same cases (message ids and keys are fresh, and no verdict depends on them).
/// </summary>
internal sealed class SignatureCorpus(int seed)
{
    private const int Attempts = 12;
    private readonly Random _random = new(seed);
    private static readonly Ispb Psp = Ispb.Parse("12345678");

    /// <summary>Base messages whose edits MessageCheck refused every time: a family that stays empty is a generator bug.</summary>
    public int Refused { get; private set; }

    /// <summary>Edits that found nothing to edit in a message (e.g. no attribute to quote differently).</summary>
    public int Inapplicable { get; private set; }

    public List<SignatureCase> Cases()
    {
        var cases = new List<SignatureCase>();
        foreach (var (name, fresh) in Bases())
        {
            var unsigned = Pin(fresh, _random);
            foreach (var (variant, write) in Variants())
            {
                var text = write(unsigned);
                var (naming, certificate, issuer, serial, namesSigner) = Naming();
                var signed = CorpusSigner.Sign(text, certificate, issuer, serial);
                var label = $"{name} {variant} key:{naming}";
                if (!namesSigner)
                {
                    cases.Add(new SignatureCase(label, "names-another-certificate", signed, certificate, false, [CheckRule.SignatureCertificate]));
                    continue;
                }
                foreach (var mutation in Mutations())
                {
                    var made = Attempt(() => mutation(new Signed(signed, certificate)));
                    if (made is null) continue;
                    cases.Add(made with { Base = label });
                }
            }
        }
        return cases;
    }

    private SignatureCase? Attempt(Func<SignatureCase?> make)
    {
        for (var i = 0; i < Attempts; i++)
        {
            SignatureCase? made;
            try
            {
                made = make();
            }
            catch (ArgumentOutOfRangeException)
            {
                made = null;
            }
            if (made is null)
            {
                Inapplicable++;
                return null;
            }
            if (MessageCheck.Check(Encoding.UTF8.GetBytes(made.Xml), CheckOptions.Default, out _).Ok) return made;
        }
        Refused++;
        return null;
    }

    private static IEnumerable<(string Name, string Xml)> Bases()
    {
        yield return ("pacs.008", SampleMessages.Pacs008(Ispb.Spi, Psp, signed: false));
        yield return ("pacs.008x2", SampleMessages.Pacs008(Psp, Ispb.Spi, transactions: 2, signed: false));
        yield return ("pacs.008x3", SampleMessages.Pacs008(Ispb.Spi, Psp, amount: 0.01m, transactions: 3, signed: false));
        yield return ("pacs.002", SampleMessages.Pacs002(Psp, Ispb.Spi, signed: false));
        yield return ("pacs.002 ACSC", SampleMessages.Pacs002(Ispb.Spi, Psp, status: "ACSC", signed: false));
        yield return ("pacs.002 RJCT", SampleMessages.Pacs002(Ispb.Spi, Psp, status: "RJCT", reason: "AM04", signed: false));
        yield return ("pacs.004", SampleMessages.Pacs004(Psp, Ispb.Spi, signed: false));
        var admi = new ArrayBufferWriter<byte>();
        Admi002Writer.Write(admi, new Admi002Reject
        {
            To = Psp, RelatedReference = "M12345678abcdefghijklmnopqrstuvw"u8, Reason = "schema"u8, RejectedAt = DateTime.UtcNow,
            ErrorLocation = "/Envelope/Document/FIToFICstmrCdtTrf/GrpHdr/MsgId"u8, Description = "a & b < c"u8,
        });
        yield return ("admi.002", Encoding.UTF8.GetString(admi.WrittenSpan));
        foreach (var file in BcbReference.ExampleFiles())
        {
            yield return (Path.GetFileNameWithoutExtension(file), File.ReadAllText(file));
        }
    }

    /// <summary>Ways of writing a message before it is signed.</summary>
    private IEnumerable<(string Name, Func<string, string> Write)> Variants()
    {
        yield return ("as-is", xml => xml);
        yield return ("indent-lf", xml => Indent(xml, "\n", "  "));
        yield return ("indent-crlf+refs", xml => References(Indent(xml, "\r\n", "\t"), 3));
        yield return ("prefixed+comments+pi", xml => CommentsAndInstructions(Prefixed(xml, "spi")));
        yield return ("namespaces+quotes+spaces", NamespacesQuotesSpaces);
        yield return ("text-forms", TextForms);
        var all = new Func<string, string>[] { x => Indent(x, "\n", " "), x => References(x, 2), CommentsAndInstructions, NamespacesQuotesSpaces, TextForms };
        var picked = all.OrderBy(_ => _random.Next()).Take(2 + _random.Next(2)).ToArray();
        yield return ("mixed", xml => picked.Aggregate(xml, (x, write) => write(x)));
    }

    private string References(string xml, int count)
    {
        var document = DocumentStart(xml);
        for (var i = 0; i < count; i++)
        {
            var characters = TextCharacters(xml, document, xml.Length);
            xml = AsReference(xml, characters[_random.Next(characters.Count)], _random);
        }
        return xml;
    }

    private string CommentsAndInstructions(string xml)
    {
        var document = DocumentStart(xml);
        var inside = BetweenTags(xml, document + 1, xml.Length - 12);
        xml = Insert(xml, inside[_random.Next(inside.Count)], "<?pix note for the receiver?>");
        var header = BetweenTags(xml, RootStart(xml) + 1, DocumentStart(xml));
        xml = Insert(xml, header[_random.Next(header.Count)], "<!-- header note -->");
        var text = TextCharacters(xml, DocumentStart(xml), xml.Length);
        xml = Insert(xml, text[_random.Next(text.Count)], "<!--x-->");
        return Insert(xml, RootStart(xml), "<?pix-route before the root?>\n");
    }

    private string NamespacesQuotesSpaces(string xml)
    {
        var ns = SpiNamespace(xml);
        var prefixed = xml.Contains("<spi:Envelope", StringComparison.Ordinal);
        var redundant = prefixed ? $"xmlns:spi=\"{ns}\"" : $"xmlns=\"{ns}\"";
        xml = AddAttribute(xml, xml.IndexOf("AppHdr", StringComparison.Ordinal) - (prefixed ? 5 : 1), redundant);
        xml = AddAttribute(xml, DocumentStart(xml), redundant);
        xml = AddAttribute(xml, RootStart(xml), $"xmlns:x=\"{UnusedNamespace}\"");
        xml = AddAttribute(xml, RootStart(xml), "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"");
        var amount = xml.IndexOf("Ccy=", StringComparison.Ordinal);
        if (amount > 0) xml = AddAttribute(xml, xml.LastIndexOf('<', amount), $"xmlns:y=\"{UnusedNamespace}2\"");
        var tags = StartTags(xml, RootStart(xml), xml.Length);
        var tag = tags[_random.Next(tags.Count)];
        xml = Replace(xml, tag.At, tag.Length, xml.Substring(tag.At, tag.Length).Replace(tag.Empty ? "/>" : ">", tag.Empty ? " />" : "  >", StringComparison.Ordinal));
        var ends = EndTags(xml, RootStart(xml), xml.Length);
        var end = ends[_random.Next(ends.Count)];
        xml = Replace(xml, end.At, end.Length, xml.Substring(end.At, end.Length - 1) + "\n>");
        return xml.Replace('"', '\'');
    }

    private string TextForms(string xml)
    {
        var ustrd = xml.IndexOf("Ustrd>", StringComparison.Ordinal);
        if (ustrd > 0) xml = ReplaceText(xml, ustrd, "Pix&#13;sample&#13;&#10;payment &#13;\nA &amp; B &lt;C&gt; D > E");
        var name = xml.IndexOf("Nm>", StringComparison.Ordinal);
        if (name > 0) xml = ReplaceText(xml, name, "<![CDATA[Fulano & Cia \"Ltda\"]]>");
        var characters = TextCharacters(xml, DocumentStart(xml), xml.Length);
        xml = AsReference(xml, characters[_random.Next(characters.Count)], _random);
        var declarationEnd = xml.StartsWith("<?xml", StringComparison.Ordinal) ? xml.IndexOf("?>", StringComparison.Ordinal) + 2 : 0;
        return "\uFEFF" + xml[declarationEnd..].TrimStart();
    }

    private static string ReplaceText(string xml, int tagNameAt, string text)
    {
        var start = xml.IndexOf('>', tagNameAt) + 1;
        return Replace(xml, start, xml.IndexOf('<', start) - start, text);
    }

    /// <summary>How KeyInfo names the signing certificate, and whether that names it.</summary>
    private (string Name, X509Certificate2 Certificate, string Issuer, string SerialHex, bool NamesSigner) Naming()
    {
        var signer = CorpusCertificates.Signer;
        var serial = signer.SerialNumber;
        var roll = _random.Next(100);
        return roll switch
        {
            < 55 => (".NET", signer, signer.Issuer, serial, true),
            < 62 => ("rfc4514", signer, "CN=Pix corpus signer,OU=Testes,O=Pix Pagamentos,C=BR", serial, true),
            < 69 => ("reversed", signer, "C=BR, O=Pix Pagamentos, OU=Testes, CN=Pix corpus signer", serial, true),
            < 74 => ("lowercase-keys", signer, "cn=Pix corpus signer, ou=Testes, o=Pix Pagamentos, c=BR", serial, true),
            < 79 => ("oid-keys", signer, "OID.2.5.4.3=Pix corpus signer, OID.2.5.4.11=Testes, OID.2.5.4.10=Pix Pagamentos, OID.2.5.4.6=BR", serial, true),
            < 84 => ("upper-values", signer, "CN=PIX CORPUS SIGNER, OU=TESTES, O=PIX PAGAMENTOS, C=BR", serial, true),
            < 90 => ("quoted-comma", CorpusCertificates.CommaInName, CorpusCertificates.CommaInName.Issuer, CorpusCertificates.CommaInName.SerialNumber, true),
            < 94 => ("serial+1", signer, signer.Issuer, (new BigInteger(signer.GetSerialNumber()) + 1).ToString("X", null), false),
            < 97 => ("other-cn", signer, "CN=Pix corpus signer 2, OU=Testes, O=Pix Pagamentos, C=BR", serial, false),
            _ => ("missing-rdn", signer, "CN=Pix corpus signer, O=Pix Pagamentos, C=BR", serial, false),
        };
    }

    private sealed record Signed(string Xml, X509Certificate2 Certificate)
    {
        public int SignatureStart => Xml.IndexOf("<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">", StringComparison.Ordinal);
        public int SignatureEnd => Xml.IndexOf("</Signature>", StringComparison.Ordinal) + "</Signature>".Length;
        public int SignedInfoStart => Xml.IndexOf("<SignedInfo>", StringComparison.Ordinal);
        public int SignedInfoEnd => Xml.IndexOf("</SignedInfo>", StringComparison.Ordinal) + "</SignedInfo>".Length;
        public int KeyInfoStart => Xml.IndexOf("<KeyInfo", SignatureStart, StringComparison.Ordinal);
        public int KeyInfoEnd => Xml.IndexOf("</KeyInfo>", StringComparison.Ordinal) + "</KeyInfo>".Length;
        public int SignatureValueStart => Xml.IndexOf("<SignatureValue>", StringComparison.Ordinal) + "<SignatureValue>".Length;
        public int SignatureValueEnd => Xml.IndexOf("</SignatureValue>", StringComparison.Ordinal);
        public int Document => DocumentStart(Xml);
        public int Root => RootStart(Xml);
    }

    private static int RootStart(string xml) => ElementStart(xml, "Envelope");

    private static int DocumentStart(string xml) => ElementStart(xml, "Document");

    private static SignatureCase Case(string family, string xml, X509Certificate2 certificate, bool? designed, params CheckRule[] rules) =>
        new("", family, xml, certificate, designed, rules);

    /// <summary>Edits after signing: each returns one case (or null when it does not apply to this message).</summary>
    private IEnumerable<Func<Signed, SignatureCase?>> Mutations()
    {
        var r = _random;
        T Pick<T>(IReadOnlyList<T> items) => items[r.Next(items.Count)];
        SignatureCase? Whitespace(Signed s, string family, List<int> at, bool designed, params CheckRule[] rules) =>
            at.Count == 0 ? null : Case(family, Insert(s.Xml, Pick(at), Pick(new[] { " ", "\n", "\r\n", "\t", "\n    " })), s.Certificate, designed, rules);

        yield return s => Case("as-is", s.Xml, s.Certificate, true);
        yield return s => Case("tamper-document", ChangeCharacter(s.Xml, Pick(TextCharacters(s.Xml, s.Document, s.Xml.Length)), r), s.Certificate, false,
            CheckRule.SignatureDocumentDigest);
        yield return s => Case("tamper-apphdr", ChangeCharacter(s.Xml, Pick(TextCharacters(s.Xml, s.Root, s.SignatureStart)), r), s.Certificate, false,
            CheckRule.SignatureEnvelopeDigest);
        yield return s =>
        {
            var tags = StartTags(s.Xml, s.Root, s.Xml.Length);
            var tag = Pick(tags);
            var spaced = s.Xml.Substring(tag.At, tag.Length).Replace("=\"", Pick(new[] { " =\"", "= \"", " = \"", "\n=\n\"" }), StringComparison.Ordinal);
            spaced = spaced[..^(tag.Empty ? 2 : 1)] + Pick(new[] { " ", "\n", "\t ", "\r\n" }) + (tag.Empty ? "/>" : ">");
            return Case("spaces-in-tag", Replace(s.Xml, tag.At, tag.Length, spaced), s.Certificate, true);
        };
        yield return s =>
        {
            var ends = EndTags(s.Xml, s.Root, s.Xml.Length);
            var end = Pick(ends);
            return Case("spaces-in-end-tag", Replace(s.Xml, end.At, end.Length, s.Xml.Substring(end.At, end.Length - 1) + " >"), s.Certificate, true);
        };
        yield return s =>
        {
            var tags = StartTags(s.Xml, s.Root, s.Xml.Length).Where(t => t.Attributes.Contains('"')).ToList();
            var tag = Pick(tags);
            return Case("single-quotes", Replace(s.Xml, tag.At, tag.Length, s.Xml.Substring(tag.At, tag.Length).Replace('"', '\'')), s.Certificate, true);
        };
        yield return s =>
        {
            var outside = TextCharacters(s.Xml, s.Root, s.SignatureStart).Concat(TextCharacters(s.Xml, s.SignatureEnd, s.Xml.Length))
                .Concat(TextCharacters(s.Xml, s.SignedInfoStart, s.SignatureValueEnd)).ToList();
            return Case("character-reference", AsReference(s.Xml, Pick(outside), r), s.Certificate, true);
        };
        yield return s =>
        {
            var candidates = new List<(int Start, int Length)>();
            foreach (var (from, to) in new[] { (s.Root, s.SignatureStart), (s.SignatureEnd, s.Xml.Length), (s.SignatureValueStart - 16, s.SignatureValueEnd + 1) })
            {
                foreach (var at in BetweenTextBounds(s.Xml, from, to)) candidates.Add(at);
            }
            var (start, length) = Pick(candidates);
            var text = s.Xml.Substring(start, length);
            return Case("cdata", Replace(s.Xml, start, length, "<![CDATA[" + text + "]]>"), s.Certificate, true);
        };
        yield return s =>
        {
            var places = BetweenTags(s.Xml, s.Root + 1, s.SignatureStart).Concat(BetweenTags(s.Xml, s.SignedInfoStart + 1, s.SignedInfoEnd))
                .Concat(BetweenTags(s.Xml, s.KeyInfoStart + 1, s.KeyInfoEnd)).Concat(BetweenTags(s.Xml, s.SignatureEnd, s.Xml.Length))
                .Concat(TextCharacters(s.Xml, s.Document, s.Xml.Length)).ToList();
            return Case("comment", Insert(s.Xml, Pick(places), Pick(new[] { "<!---->", "<!-- comment -->", "<!--\r\n-->" })), s.Certificate, true);
        };
        yield return s => Whitespace(s, "whitespace-in-document", BetweenTags(s.Xml, s.Document + 1, s.Xml.IndexOf("Document>", s.Document + 9, StringComparison.Ordinal)),
            false, CheckRule.SignatureDocumentDigest);
        yield return s => Whitespace(s, "whitespace-in-apphdr", BetweenTags(s.Xml, s.Root + 1, s.SignatureStart + 1), false, CheckRule.SignatureEnvelopeDigest);
        yield return s => Whitespace(s, "whitespace-between-signature-children",
            [s.SignedInfoStart, s.SignatureValueStart - "<SignatureValue>".Length, s.KeyInfoStart, s.SignatureEnd - "</Signature>".Length], true);
        yield return s => Whitespace(s, "whitespace-in-signedinfo", BetweenTags(s.Xml, s.SignedInfoStart + 1, s.SignedInfoEnd - 1), false, CheckRule.SignatureValue);
        yield return s => Whitespace(s, "whitespace-in-keyinfo", BetweenTags(s.Xml, s.KeyInfoStart + 1, s.KeyInfoEnd - 1), false, CheckRule.SignatureKeyInfoDigest);
        yield return s => Whitespace(s, "whitespace-outside-root", [s.Root, s.Xml.Length], true);
        yield return s =>
        {
            var value = s.Xml[s.SignatureValueStart..s.SignatureValueEnd];
            var width = Pick(new[] { 64, 76, 16 });
            var newline = Pick(new[] { "\n", "\r\n", "&#13;\n", " " });
            var wrapped = string.Join(newline, value.Chunk(width).Select(c => new string(c)));
            return Case("signature-value-lines", Replace(s.Xml, s.SignatureValueStart, value.Length, newline + wrapped + newline), s.Certificate, true);
        };
        yield return s =>
        {
            var ns = SpiNamespace(s.Xml);
            var prefixed = s.Xml.Contains("<spi:Envelope", StringComparison.Ordinal);
            var declaration = prefixed ? $"xmlns:spi=\"{ns}\"" : $"xmlns=\"{ns}\"";
            var tags = StartTags(s.Xml, s.Root, s.SignatureStart).Concat(StartTags(s.Xml, s.SignatureEnd, s.Xml.Length))
                .Where(t => !t.Attributes.Contains(prefixed ? "xmlns:spi=" : "xmlns=", StringComparison.Ordinal)).ToList();
            var tag = Pick(tags);
            return Case("redundant-namespace", AddAttribute(s.Xml, tag.At, declaration), s.Certificate, true);
        };
        yield return s =>
        {
            var tag = Pick(StartTags(s.Xml, s.Root, s.Xml.Length));
            return Case("unused-namespace", AddAttribute(s.Xml, tag.At, $"xmlns:u=\"{UnusedNamespace}\""), s.Certificate, true);
        };
        yield return s => s.Xml.Contains("xmlns:ds=", StringComparison.Ordinal) ? null
            : Case("ds-declared-on-envelope", AddAttribute(s.Xml, s.Root, "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\""), s.Certificate, true);
        yield return s =>
        {
            var tag = Pick(StartTags(s.Xml, s.Root, s.Xml.Length).Where(t => AttributeCount(t.Attributes) >= 1).ToList());
            var xml = AttributeCount(tag.Attributes) >= 2 ? s.Xml : AddAttribute(s.Xml, tag.At, $"xmlns:w=\"{UnusedNamespace}\"");
            var widened = StartTags(xml, tag.At, xml.Length)[0];
            return Case("attributes-reordered", SwapAttributes(xml, widened), s.Certificate, true);
        };
        yield return s =>
        {
            if (s.Xml.Contains("<spi:Envelope", StringComparison.Ordinal)) return null;
            var end = s.Xml.IndexOf("</Document>", StringComparison.Ordinal);
            var body = s.Xml[s.Document..end];
            var prefixed = Prefixed(body, "p").Replace("<p:Document", $"<p:Document xmlns:p=\"{SpiNamespace(s.Xml)}\"", StringComparison.Ordinal);
            return Case("document-prefixed", s.Xml[..s.Document] + prefixed + "</p:Document>" + s.Xml[(end + "</Document>".Length)..], s.Certificate, false,
                CheckRule.SignatureDocumentDigest);
        };
        yield return s =>
        {
            var methods = StartTags(s.Xml, s.SignedInfoStart, s.SignedInfoEnd).Where(t => t.Empty).ToList();
            var tag = Pick(methods);
            var open = s.Xml.Substring(tag.At, tag.Length).Replace(" />", ">", StringComparison.Ordinal).Replace("/>", ">", StringComparison.Ordinal);
            return Case("empty-element-written-out", Replace(s.Xml, tag.At, tag.Length, open + "</" + tag.Name + ">"), s.Certificate, true);
        };
        yield return s =>
        {
            var body = s.Xml.TrimStart('\uFEFF');
            var withoutDeclaration = body.StartsWith("<?xml", StringComparison.Ordinal) ? body[(body.IndexOf("?>", StringComparison.Ordinal) + 2)..] : body;
            var written = Pick(new[] { "", "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>", "\uFEFF<?xml version=\"1.0\"?>\r\n" });
            return Case("xml-declaration", written + withoutDeclaration, s.Certificate, true);
        };
        yield return s =>
        {
            var where = r.Next(3);
            var insideDocument = BetweenTags(s.Xml, s.Document + 1, s.Xml.LastIndexOf("Document>", StringComparison.Ordinal));
            return where switch
            {
                0 => Case("pi-before-root", Insert(s.Xml, s.Root, "<?pix added?>"), s.Certificate, false, CheckRule.SignatureEnvelopeDigest),
                1 => Case("pi-after-root", s.Xml + "<?pix added?>", s.Certificate, false, CheckRule.SignatureEnvelopeDigest),
                _ => Case("pi-in-document", Insert(s.Xml, Pick(insideDocument), "<?pix added?>"), s.Certificate, false, CheckRule.SignatureDocumentDigest),
            };
        };
        yield return s => s.Xml.Contains('\n')
            ? Case("line-ends", s.Xml.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", Pick(new[] { "\r\n", "\r" }), StringComparison.Ordinal), s.Certificate, true)
            : null;
        yield return s => Case("wrong-key", s.Xml, s.Certificate == CorpusCertificates.Signer ? CorpusCertificates.OtherKeySameName : CorpusCertificates.Stranger,
            false, CheckRule.SignatureValue, CheckRule.SignatureCertificate);
        yield return s => Case("same-key-other-serial", s.Xml, CorpusCertificates.SameKeyOtherSerial, false, CheckRule.SignatureCertificate);
        yield return s => Case("another-participant", s.Xml, CorpusCertificates.Stranger, false, CheckRule.SignatureCertificate);
        yield return s =>
        {
            var length = s.SignatureValueEnd - s.SignatureValueStart;
            var cut = Math.Min(length - 1, Pick(new[] { 1, 2, 3, 4, 8, 100, length / 2 }));
            return Case("signature-value-truncated", Replace(s.Xml, s.SignatureValueEnd - cut, cut, ""), s.Certificate, false,
                CheckRule.SignatureValue, CheckRule.SignatureMalformed);
        };
        yield return s =>
        {
            var at = s.SignatureValueStart + r.Next(s.SignatureValueEnd - s.SignatureValueStart);
            if (s.Xml[at] == '=') return null;
            return Case("signature-value-altered", ChangeCharacter(s.Xml, at, r), s.Certificate, null, CheckRule.SignatureValue, CheckRule.SignatureMalformed);
        };
        yield return s =>
        {
            var digests = new List<int>();
            for (var at = s.Xml.IndexOf("<DigestValue>", StringComparison.Ordinal); at > 0; at = s.Xml.IndexOf("<DigestValue>", at + 1, StringComparison.Ordinal))
            {
                digests.Add(at + "<DigestValue>".Length + r.Next(42));
            }
            return Case("digest-value-altered", ChangeCharacter(s.Xml, Pick(digests), r), s.Certificate, false, CheckRule.SignatureValue, CheckRule.SignatureMalformed);
        };
        yield return s =>
        {
            var (from, to) = Pick(new[]
            {
                ("xml-exc-c14n#\" />", "xml-exc-c14n#WithComments\" />"), ("xmldsig-more#rsa-sha256", "xmldsig-more#rsa-sha512"),
                ("xmlenc#sha256", "xmlenc#sha512"), ("#enveloped-signature", "#enveloped-signature2"),
            });
            var at = s.Xml.IndexOf(from, StringComparison.Ordinal);
            return Case("algorithm-changed", Replace(s.Xml, at, from.Length, to), s.Certificate, false,
                CheckRule.SignatureAlgorithm, CheckRule.SignatureTransform);
        };
        // SignedXml copies xml:* attributes of the Signature onto SignedInfo and KeyInfo when it canonicalizes them.
        yield return s => Case("xml-lang-on-signature", AddAttribute(s.Xml, s.SignatureStart, Pick(new[] { "xml:lang=\"pt-BR\"", "xml:space='preserve'" })),
            s.Certificate, false, CheckRule.SignatureValue);
        // A reference by Id must name exactly one element; SignatureValue is covered by no digest, so only that rule breaks.
        yield return s =>
        {
            var id = s.Xml.IndexOf("Id=\"_", s.KeyInfoStart, StringComparison.Ordinal) + 3;
            var value = s.Xml[id..s.Xml.IndexOf('"', id + 1)];
            var at = s.SignatureValueStart - "<SignatureValue>".Length;
            return Case("keyinfo-id-repeated", AddAttribute(s.Xml, at, $"Id=\"{value[1..]}\""), s.Certificate, false, CheckRule.SignatureMalformed);
        };
        yield return s =>
        {
            var id = s.Xml.IndexOf("Id=\"_", s.KeyInfoStart, StringComparison.Ordinal) + 5;
            return Case("keyinfo-id-changed", ChangeCharacter(s.Xml, id, r), s.Certificate, false, CheckRule.SignatureMalformed);
        };
    }

    /// <summary>Text nodes in [from, to) holding no reference, as (start, length).</summary>
    private static IEnumerable<(int, int)> BetweenTextBounds(string xml, int from, int to)
    {
        var i = from;
        while (i < to)
        {
            var open = xml.IndexOf('>', i);
            if (open < 0 || open >= to) yield break;
            var close = xml.IndexOf('<', open);
            if (close < 0 || close > to) yield break;
            var text = xml[(open + 1)..close];
            if (text.Trim().Length > 0 && !text.Contains('&') && !text.Contains("]]>", StringComparison.Ordinal)) yield return (open + 1, close - open - 1);
            i = close;
        }
    }
}
