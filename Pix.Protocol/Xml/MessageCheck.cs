using System.Text.Unicode;

namespace Pix.Protocol.Xml;

/// <summary>
/// Checks a whole SPI message on its UTF-8 bytes, without building a DOM and without allocating: charset, XML
/// well-formedness (no DTD), the envelope and AppHdr, and for pacs.008 1.13, pacs.002 1.14 and pacs.004 1.5 every
/// rule of the BCB XSD plus a few cross-field rules. Other catalogue types get the envelope and header checks.
/// </summary>
public static class MessageCheck
{
    private const int ValueBufferSize = 1024;

    public static CheckResult Check(ReadOnlySpan<byte> xml, in CheckOptions options, out AppHeader header)
    {
        header = default;
        if (!Utf8.IsValid(xml)) return Failed(CheckFailure.Charset, CheckRule.Utf8, 0);
        var bad = xml.IndexOfAny(XmlChars.ForbiddenControls);
        if (bad >= 0 || (bad = IndexOfNonCharacter(xml)) >= 0) return Failed(CheckFailure.Syntax, CheckRule.InvalidCharacter, bad);

        var start = xml.StartsWith("\uFEFF"u8) ? 3 : 0;
        Span<byte> value = stackalloc byte[ValueBufferSize];
        var walker = new MessageWalker(xml, options, value, start);
        var ok = walker.Run();
        header = new AppHeader
        {
            Type = walker.Type,
            TypeAndVersion = walker.TypeAndVersion,
            From = walker.From,
            To = walker.To,
            HasFrom = walker.HasFrom,
            HasTo = walker.HasTo,
            BizMsgIdr = walker.BizMsgIdr,
            HasBizMsgIdr = walker.HasBizMsgIdr,
            MsgDefIdr = walker.MsgDefIdr,
            CreDt = walker.CreDt,
            HasSignature = walker.HasSignature,
        };
        return ok ? CheckResult.Success : new CheckResult(walker.Failure, walker.Rule, walker.FailureOffset, walker.Location);
    }

    public static CheckResult Check(ReadOnlySpan<byte> xml, out AppHeader header) => Check(xml, CheckOptions.Default, out header);

    private static CheckResult Failed(CheckFailure failure, CheckRule rule, int offset) => new(failure, rule, offset, default);

    private static ReadOnlySpan<byte> NonCharacterLead => [0xEF, 0xBF];

    // U+FFFE and U+FFFF are valid UTF-8 but not XML characters (EF BF BE, EF BF BF).
    private static int IndexOfNonCharacter(ReadOnlySpan<byte> xml)
    {
        var offset = 0;
        while (true)
        {
            var at = xml[offset..].IndexOf(NonCharacterLead);
            if (at < 0) return -1;
            at += offset;
            if (at + 2 < xml.Length && xml[at + 2] >= 0xBE) return at;
            offset = at + 2;
        }
    }
}
