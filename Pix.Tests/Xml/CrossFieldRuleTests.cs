using Pix.Protocol.Xml;

namespace Pix.Tests.Xml;

public class CrossFieldRuleTests
{
    private static readonly CheckOptions XsdOnly = new() { RequireSignature = false, CrossFieldRules = false };

    private static string Replace(string find, string with) => TestMessages.Pacs008.Replace(find, with, StringComparison.Ordinal);

    [Fact]
    public void NbOfTxsMustEqualTheTransactionCount()
    {
        var xml = TestMessages.Bytes(Replace("<NbOfTxs>1<", "<NbOfTxs>2<"));
        var result = MessageCheck.Check(xml, CheckOptions.Unsigned, out _);
        Assert.Equal(CheckFailure.CrossField, result.Failure);
        Assert.Equal(CheckRule.NbOfTxs, result.RuleId);
        Assert.Equal("/Envelope/Document/FIToFICstmrCdtTrf/GrpHdr/NbOfTxs", System.Text.Encoding.ASCII.GetString(result.Location));
        Assert.True(MessageCheck.Check(xml, XsdOnly, out _).Ok);
    }

    [Theory]
    [InlineData("1000.5")]
    [InlineData("1000")]
    [InlineData("1000.000")]
    [InlineData(" 1000.00")]
    public void AmountsNeedExactlyTwoDecimals(string amount)
    {
        var xml = TestMessages.Bytes(Replace(">1000.00<", ">" + amount + "<"));
        var result = MessageCheck.Check(xml, CheckOptions.Unsigned, out _);
        Assert.Equal(CheckRule.AmountTwoDecimals, result.RuleId);
        Assert.True(MessageCheck.Check(xml, XsdOnly, out _).Ok);
    }

    [Fact]
    public void CurrencyMustBeBrl()
    {
        var result = MessageCheck.Check(TestMessages.Bytes(Replace("Ccy=\"BRL\"", "Ccy=\"USD\"")), CheckOptions.Unsigned, out _);
        Assert.Equal(CheckRule.Currency, result.RuleId);
    }
}
