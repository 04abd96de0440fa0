using Pix.Protocol.Xml.Schema;

namespace Pix.Protocol.Xml;

/// <summary>The SPI catalogue types Pix knows (pix-xml.md §5), how their namespace is spelled, and which are checked
/// against a full schema. pacs.008/002/004 are accepted only in the version Pix has the XSD of; the other types in
/// any <c>{digits}.{digits}</c> version, with envelope and header checks only.</summary>
public static class MessageCatalog
{
    public static ReadOnlySpan<byte> NamespacePrefix => "https://www.bcb.gov.br/pi/"u8;

    public static ReadOnlySpan<byte> Name(MessageType type) => type switch
    {
        MessageType.Pacs008 => "pacs.008"u8,
        MessageType.Pacs002 => "pacs.002"u8,
        MessageType.Pacs004 => "pacs.004"u8,
        MessageType.Admi002 => "admi.002"u8,
        MessageType.Admi004 => "admi.004"u8,
        MessageType.Pibr001 => "pibr.001"u8,
        MessageType.Pibr002 => "pibr.002"u8,
        MessageType.Camt052 => "camt.052"u8,
        MessageType.Camt053 => "camt.053"u8,
        MessageType.Camt054 => "camt.054"u8,
        MessageType.Camt060 => "camt.060"u8,
        MessageType.Camt014 => "camt.014"u8,
        MessageType.Camt025 => "camt.025"u8,
        MessageType.Camt029 => "camt.029"u8,
        MessageType.Camt055 => "camt.055"u8,
        MessageType.Pain009 => "pain.009"u8,
        MessageType.Pain011 => "pain.011"u8,
        MessageType.Pain012 => "pain.012"u8,
        MessageType.Pain013 => "pain.013"u8,
        MessageType.Pain014 => "pain.014"u8,
        MessageType.Reda014 => "reda.014"u8,
        MessageType.Reda016 => "reda.016"u8,
        MessageType.Reda017 => "reda.017"u8,
        MessageType.Reda022 => "reda.022"u8,
        MessageType.Reda031 => "reda.031"u8,
        MessageType.Reda041 => "reda.041"u8,
        MessageType.Trck002 => "trck.002"u8,
        _ => ""u8,
    };

    /// <summary>The one version checked in full, or empty when any version is accepted.</summary>
    public static ReadOnlySpan<byte> CheckedVersion(MessageType type) => type switch
    {
        MessageType.Pacs008 => "1.13"u8,
        MessageType.Pacs002 => "1.14"u8,
        MessageType.Pacs004 => "1.5"u8,
        _ => ""u8,
    };

    internal static ElementDecl Schema(MessageType type) => type switch
    {
        MessageType.Pacs008 => Pacs008Schema.Envelope,
        MessageType.Pacs002 => Pacs002Schema.Envelope,
        MessageType.Pacs004 => Pacs004Schema.Envelope,
        _ => HeaderSchema.EnvelopeOnly,
    };

    /// <summary>Parses <c>https://www.bcb.gov.br/pi/{type}/{version}</c>; <paramref name="typeAndVersion"/> indexes <paramref name="ns"/>.</summary>
    internal static CheckRule ParseNamespace(ReadOnlySpan<byte> ns, out MessageType type, out Range typeAndVersion)
    {
        type = MessageType.Unknown;
        typeAndVersion = default;
        if (!ns.StartsWith(NamespacePrefix)) return CheckRule.EnvelopeNamespace;
        var rest = ns[NamespacePrefix.Length..];
        var slash = rest.IndexOf((byte)'/');
        if (slash != 8) return CheckRule.EnvelopeNamespace;
        var version = rest[9..];
        if (!IsVersion(version)) return CheckRule.EnvelopeNamespace;
        typeAndVersion = new Range(NamespacePrefix.Length, ns.Length);
        type = Parse(rest[..8]);
        if (type == MessageType.Unknown) return CheckRule.UnknownMessageType;
        var only = CheckedVersion(type);
        return only.IsEmpty || version.SequenceEqual(only) ? CheckRule.None : CheckRule.UnsupportedVersion;
    }

    public static MessageType Parse(ReadOnlySpan<byte> name)
    {
        for (var t = MessageType.Pacs008; t <= MessageType.Trck002; t++)
        {
            if (name.SequenceEqual(Name(t))) return t;
        }
        return MessageType.Unknown;
    }

    private static bool IsVersion(ReadOnlySpan<byte> v)
    {
        var dot = v.IndexOf((byte)'.');
        if (dot < 1 || dot > 3 || dot == v.Length - 1 || v.Length - dot - 1 > 3) return false;
        foreach (var b in v[..dot]) if ((uint)(b - '0') > 9) return false;
        foreach (var b in v[(dot + 1)..]) if ((uint)(b - '0') > 9) return false;
        return true;
    }

    /// <summary>MsgDefIdr must read <c>{type}.spi.{version}</c> for the namespace's <c>{type}/{version}</c>.</summary>
    internal static bool MatchesMsgDefIdr(ReadOnlySpan<byte> typeAndVersion, ReadOnlySpan<byte> msgDefIdr) =>
        typeAndVersion.Length > 9 && msgDefIdr.Length == typeAndVersion.Length + 4 &&
        msgDefIdr[..8].SequenceEqual(typeAndVersion[..8]) && msgDefIdr.Slice(8, 5).SequenceEqual(".spi."u8) &&
        msgDefIdr[13..].SequenceEqual(typeAndVersion[9..]);
}
