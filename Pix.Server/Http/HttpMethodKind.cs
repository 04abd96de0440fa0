namespace Pix.Server.Http;

/// <summary>The request methods the server tells apart; anything else is <see cref="Other"/> (answered 405 or 501).</summary>
public enum HttpMethodKind : byte
{
    Other = 0,
    Get,
    Post,
    Delete,
    Put,
    Head,
    Options,
    Patch,
}
