using System.Text;

namespace Pix.Server.Http;

/// <summary>
/// RFC 9112 3: <c>method SP request-target SP HTTP-version</c>, single spaces, nothing else. The target must be
/// origin-form, absolute-form (http/https, no userinfo) or '*' for OPTIONS, with RFC 3986 characters only.
/// </summary>
internal static class RequestLineParser
{
    public static RequestError Parse(ReadOnlySpan<byte> line, HttpRequest request)
    {
        var methodEnd = line.IndexOf((byte)' ');
        if (methodEnd < 0) return RequestError.InvalidRequestLine;
        var method = line[..methodEnd];
        if (!HttpCharacters.IsToken(method)) return RequestError.InvalidMethod;

        var rest = line[(methodEnd + 1)..];
        var targetEnd = rest.IndexOf((byte)' ');
        if (targetEnd <= 0) return RequestError.InvalidRequestLine;
        var target = rest[..targetEnd];

        // Known before anything else can fail: an error answer to HEAD carries no body either.
        request.Method = MethodKind(method);
        var error = ParseVersion(rest[(targetEnd + 1)..], request);
        if (error != RequestError.None) return error;
        return ParseTarget(target, request);
    }

    private static RequestError ParseVersion(ReadOnlySpan<byte> version, HttpRequest request)
    {
        if (version.SequenceEqual("HTTP/1.1"u8)) return RequestError.None;
        if (version.SequenceEqual("HTTP/1.0"u8))
        {
            request.IsHttp10 = true;
            return RequestError.None;
        }
        // A well-formed version we do not speak gets 505; anything else is not HTTP.
        return version.Length == 8 && version.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)version[5])
            && version[6] == (byte)'.' && char.IsAsciiDigit((char)version[7])
            ? RequestError.UnsupportedVersion
            : RequestError.InvalidVersion;
    }

    private static RequestError ParseTarget(ReadOnlySpan<byte> target, HttpRequest request)
    {
        if (target[0] == (byte)'/')
        {
            if (!HttpCharacters.IsUriPart(target, HttpCharacters.Target)) return RequestError.InvalidTarget;
            request.SetTarget(target);
            return RequestError.None;
        }
        if (target.Length == 1 && target[0] == (byte)'*')
        {
            // RFC 9112 3.2.4: asterisk-form is only for OPTIONS.
            if (request.Method != HttpMethodKind.Options) return RequestError.InvalidTarget;
            request.SetTarget(target);
            return RequestError.None;
        }
        return ParseAbsoluteForm(target, request);
    }

    /// <summary>RFC 9112 3.2.2: a server MUST accept absolute-form; the path handed on is the origin-form part, and
    /// the target's authority replaces Host. Authority-form (CONNECT) and userinfo (deprecated by RFC 9110 4.2.4)
    /// are refused.</summary>
    private static RequestError ParseAbsoluteForm(ReadOnlySpan<byte> target, HttpRequest request)
    {
        int schemeLength;
        if (target.Length > 7 && Ascii.EqualsIgnoreCase(target[..7], "http://"u8)) schemeLength = 7;
        else if (target.Length > 8 && Ascii.EqualsIgnoreCase(target[..8], "https://"u8)) schemeLength = 8;
        else return RequestError.InvalidTarget;

        var afterScheme = target[schemeLength..];
        var authorityEnd = afterScheme.IndexOfAny((byte)'/', (byte)'?');
        var authority = authorityEnd < 0 ? afterScheme : afterScheme[..authorityEnd];
        var pathAndQuery = authorityEnd < 0 ? default : afterScheme[authorityEnd..];
        if (authority.IsEmpty || !HttpCharacters.IsUriPart(authority, HttpCharacters.Authority)) return RequestError.InvalidTarget;
        if (!HttpCharacters.IsUriPart(pathAndQuery, HttpCharacters.Target)) return RequestError.InvalidTarget;

        if (!pathAndQuery.IsEmpty && pathAndQuery[0] == (byte)'/') request.SetTarget(pathAndQuery);
        else request.SetTargetWithRootPath(pathAndQuery);
        request.SetHeader(KnownHeader.Host, authority);
        request.HasAbsoluteTarget = true;
        return RequestError.None;
    }

    private static HttpMethodKind MethodKind(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("GET"u8) => HttpMethodKind.Get,
        3 when method.SequenceEqual("PUT"u8) => HttpMethodKind.Put,
        4 when method.SequenceEqual("POST"u8) => HttpMethodKind.Post,
        4 when method.SequenceEqual("HEAD"u8) => HttpMethodKind.Head,
        5 when method.SequenceEqual("PATCH"u8) => HttpMethodKind.Patch,
        6 when method.SequenceEqual("DELETE"u8) => HttpMethodKind.Delete,
        7 when method.SequenceEqual("OPTIONS"u8) => HttpMethodKind.Options,
        _ => HttpMethodKind.Other,
    };
}
