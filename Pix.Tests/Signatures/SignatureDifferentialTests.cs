using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pix.Bench.Signatures;
using Pix.Protocol.Signatures;
using Pix.Protocol.Xml;
using Xunit.Abstractions;

namespace Pix.Tests.Signatures;

/// <summary>
/// The span verifier against .NET's SignedXml (<see cref="SignedXmlVerifier"/>) on the generated corpus
/// (<see cref="SignatureCorpus"/>): the same verdict on every case; where an edit was made to keep the signature valid
/// or to break it, SignedXml agrees that it did; and a rejected case names the rule its edit breaks.
/// </summary>
public sealed class SignatureDifferentialTests(ITestOutputHelper output)
{
    private const int Seed = 20_261_201;

    [Fact]
    public void TheSpanVerifierAndSignedXmlGiveTheSameVerdictOnEveryCase()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var corpus = new SignatureCorpus(Seed);
        var cases = corpus.Cases();
        var generated = clock.Elapsed;
        TimeSpan oracleTime = default, verifierTime = default;
        var signers = new Dictionary<X509Certificate2, SignerCertificate>();
        var disagreements = new List<string>();
        var families = new SortedDictionary<string, (int Valid, int Invalid)>(StringComparer.Ordinal);
        foreach (var item in cases)
        {
            var xml = Encoding.UTF8.GetBytes(item.Xml);
            if (!signers.TryGetValue(item.Certificate, out var signer)) signers[item.Certificate] = signer = SignerCertificate.From(item.Certificate);
            var t0 = clock.Elapsed;
            var expected = SignedXmlVerifier.Verify(xml, item.Certificate);
            var t1 = clock.Elapsed;
            var result = SignatureVerifier.Verify(xml, signer);
            oracleTime += t1 - t0; verifierTime += clock.Elapsed - t1;
            if (result.Ok != expected) disagreements.Add($"{item}: SignedXml says {(expected ? "valid" : "invalid")}, the verifier {result}\n{item.Xml}");
            else if (item.Designed is { } designed && designed != expected) disagreements.Add($"{item}: made to be {(designed ? "valid" : "invalid")}, SignedXml disagrees\n{item.Xml}");
            else if (!result.Ok && item.Rules.Length > 0 && !item.Rules.Contains(result.RuleId)) disagreements.Add($"{item}: rejected for {result}, expected one of {string.Join(", ", item.Rules)}\n{item.Xml}");
            families.TryGetValue(item.Family, out var tally);
            families[item.Family] = expected ? (tally.Valid + 1, tally.Invalid) : (tally.Valid, tally.Invalid + 1);
        }

        foreach (var (family, (valid, invalid)) in families) output.WriteLine($"{family,-40} valid {valid,5}  invalid {invalid,5}");
        output.WriteLine($"generated in {generated.TotalSeconds:F1} s, SignedXml {oracleTime.TotalSeconds:F1} s, verifier {verifierTime.TotalSeconds:F1} s");
        output.WriteLine($"{cases.Count} cases; {corpus.Refused} edits refused by MessageCheck, {corpus.Inapplicable} not applicable");
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} of {cases.Count} cases:\n" + string.Join("\n\n", disagreements.Take(5)));
        Assert.True(cases.Count >= 2000, $"only {cases.Count} cases");
        Assert.True(families.Values.Sum(f => f.Valid) >= 800, "too few valid cases");
        Assert.True(families.Values.Sum(f => f.Invalid) >= 800, "too few invalid cases");
        Assert.True(corpus.Refused <= cases.Count / 50, $"{corpus.Refused} edits were refused by MessageCheck: the corpus generator is off");
    }
}
