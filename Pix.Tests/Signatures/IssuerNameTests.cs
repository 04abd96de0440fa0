using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pix.Protocol.Signatures;

namespace Pix.Tests.Signatures;

/// <summary>X509IssuerName against the certificate's issuer: the spellings signers use match, other names do not.</summary>
public sealed class IssuerNameTests
{
    private static readonly IssuerName Signer = IssuerName.From(CorpusCertificates.Signer.IssuerName);
    private static readonly IssuerName Comma = IssuerName.From(CorpusCertificates.CommaInName.IssuerName);

    [Theory]
    [InlineData("CN=Pix corpus signer, OU=Testes, O=Pix Pagamentos, C=BR")]
    [InlineData("CN=Pix corpus signer,OU=Testes,O=Pix Pagamentos,C=BR")]
    [InlineData("CN = Pix corpus signer ; OU = Testes ; O = Pix Pagamentos ; C = BR")]
    [InlineData("  CN=Pix corpus signer, OU=Testes, O=Pix Pagamentos, C=BR\n")]
    [InlineData("C=BR, O=Pix Pagamentos, OU=Testes, CN=Pix corpus signer")]
    [InlineData("cn=pix corpus signer, ou=testes, o=pix pagamentos, c=br")]
    [InlineData("OID.2.5.4.3=Pix corpus signer, OID.2.5.4.11=Testes, OID.2.5.4.10=Pix Pagamentos, OID.2.5.4.6=BR")]
    [InlineData("2.5.4.3=Pix corpus signer,2.5.4.11=Testes,2.5.4.10=Pix Pagamentos,2.5.4.6=BR")]
    [InlineData("CN=\"Pix corpus signer\", OU=Testes, O=\"Pix Pagamentos\", C=BR")]
    [InlineData("CN=Pix\\20corpus\\20signer, OU=Testes, O=Pix Pagamentos, C=BR")]
    public void TheSignersIssuerSpelledAnyCommonWayMatches(string text) => Assert.True(Signer.Matches(Encoding.UTF8.GetBytes(text)), text);

    [Theory]
    [InlineData("CN=Pix corpus signer 2, OU=Testes, O=Pix Pagamentos, C=BR")]
    [InlineData("CN=Pix corpus signer, O=Pix Pagamentos, C=BR")]
    [InlineData("CN=Pix corpus signer, OU=Testes, O=Pix Pagamentos, C=BR, L=Brasilia")]
    [InlineData("CN=Pix corpus signer, OU=Testes, C=BR, O=Pix Pagamentos")]
    [InlineData("CN=Pix corpus signer, OU=Testes, O=Pix Pagamentos, L=BR")]
    [InlineData("CN=Pix corpus signer+OU=Testes, O=Pix Pagamentos, C=BR")]
    [InlineData("CN=#0C0A50697820636F72707573, OU=Testes, O=Pix Pagamentos, C=BR")]
    [InlineData("CN=\"Pix corpus signer, OU=Testes, O=Pix Pagamentos, C=BR")]
    [InlineData("")]
    [InlineData("Pix corpus signer")]
    public void OtherNamesDoNotMatch(string text) => Assert.False(Signer.Matches(Encoding.UTF8.GetBytes(text)), text);

    [Theory]
    [InlineData("CN=Pix corpus signer, O=\"Pix, Pagamentos Ltda\", C=BR")]
    [InlineData("CN=Pix corpus signer,O=Pix\\, Pagamentos Ltda,C=BR")]
    [InlineData("CN=Pix corpus signer,O=Pix\\2C Pagamentos Ltda,C=BR")]
    [InlineData("C=BR,O=Pix\\, Pagamentos Ltda,CN=Pix corpus signer")]
    public void ACommaInAValueMayBeQuotedOrEscaped(string text) => Assert.True(Comma.Matches(Encoding.UTF8.GetBytes(text)), text);

    [Fact]
    public void ACommaInAValueIsNotASeparator() =>
        Assert.False(Comma.Matches("CN=Pix corpus signer, O=Pix, Pagamentos Ltda, C=BR"u8));

    [Fact]
    public void AMultiValuedRdnMatchesWhenWrittenAsDotNetWritesIt()
    {
        var name = new X500DistinguishedName("CN=Multi + OU=Valued, O=Pix, C=BR");
        var issuer = IssuerName.From(name);
        Assert.True(issuer.Matches(Encoding.UTF8.GetBytes(name.Name)));
        Assert.False(issuer.Matches("CN=Multi, O=Pix, C=BR"u8));
    }

    [Theory]
    [InlineData("6849210015473118981", "6849210015473118981", true)]
    [InlineData(" +0006849210015473118981\n", "6849210015473118981", true)]
    [InlineData("6849210015473118982", "6849210015473118981", false)]
    [InlineData("-6849210015473118981", "6849210015473118981", false)]
    [InlineData("-12", "-12", true)]
    [InlineData("0", "0", true)]
    [InlineData("000", "0", true)]
    [InlineData("5F0E", "24334", false)]
    [InlineData("", "0", false)]
    [InlineData("1 2", "12", false)]
    public void SerialNumbersCompareAsIntegers(string text, string serial, bool same) =>
        Assert.Equal(same, SerialNumberText.Matches(Encoding.ASCII.GetBytes(text), Encoding.ASCII.GetBytes(serial)));
}
