using System.Security.Cryptography.X509Certificates;
using Pix.Protocol.Xml;

namespace Pix.Tests.Signatures;

/// <summary>
/// One message of the differential corpus and the certificate it is verified against. <see cref="Designed"/> says
/// what the edit was made to do (true: keep the signature valid, false: break it, null: either); <see cref="Rules"/>
/// lists the rules the span verifier may name when it rejects a case made to break (empty: any rule).
/// </summary>
internal sealed record SignatureCase(string Base, string Family, string Xml, X509Certificate2 Certificate, bool? Designed, CheckRule[] Rules)
{
    public override string ToString() => $"{Base} / {Family}";
}
