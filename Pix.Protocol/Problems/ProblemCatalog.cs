namespace Pix.Protocol.Problems;

/// <summary>Status code, type name and title of each <see cref="Problem"/>, as UTF-8 literals.</summary>
public static class ProblemCatalog
{
    public static int Status(Problem problem) => problem switch
    {
        Problem.BadRequest or Problem.InvalidHeader or Problem.Charset => 400,
        Problem.Unauthorized => 401,
        Problem.Forbidden => 403,
        Problem.NotFound => 404,
        Problem.MethodNotAllowed => 405,
        Problem.NotAcceptable => 406,
        Problem.Conflict => 409,
        Problem.Gone => 410,
        Problem.LengthRequired => 411,
        Problem.PayloadTooLarge => 413,
        Problem.UriTooLong => 414,
        Problem.UnsupportedMediaType => 415,
        Problem.Misdirected => 421,
        Problem.TooManyRequests => 429,
        Problem.HeadersTooLarge => 431,
        Problem.ServiceUnavailable => 503,
        Problem.NotImplemented => 501,
        Problem.HttpVersionNotSupported => 505,
        _ => 500,
    };

    public static ReadOnlySpan<byte> Name(Problem problem) => problem switch
    {
        Problem.BadRequest => "badRequest"u8,
        Problem.InvalidHeader => "invalidHeader"u8,
        Problem.Charset => "charset"u8,
        Problem.Unauthorized => "unauthorized"u8,
        Problem.Forbidden => "forbidden"u8,
        Problem.NotFound => "notFound"u8,
        Problem.MethodNotAllowed => "methodNotAllowed"u8,
        Problem.NotAcceptable => "notAcceptable"u8,
        Problem.Conflict => "conflict"u8,
        Problem.Gone => "gone"u8,
        Problem.LengthRequired => "lengthRequired"u8,
        Problem.PayloadTooLarge => "payloadTooLarge"u8,
        Problem.UriTooLong => "uriTooLong"u8,
        Problem.UnsupportedMediaType => "unsupportedMediaType"u8,
        Problem.Misdirected => "misdirectedRequest"u8,
        Problem.TooManyRequests => "tooManyRequests"u8,
        Problem.HeadersTooLarge => "headersTooLarge"u8,
        Problem.ServiceUnavailable => "serviceUnavailable"u8,
        Problem.NotImplemented => "notImplemented"u8,
        Problem.HttpVersionNotSupported => "httpVersionNotSupported"u8,
        _ => "internalError"u8,
    };

    public static ReadOnlySpan<byte> Title(Problem problem) => problem switch
    {
        Problem.BadRequest => "Requisição inválida"u8,
        Problem.InvalidHeader => "Cabeçalho inválido"u8,
        Problem.Charset => "Codificação de caracteres inválida"u8,
        Problem.Unauthorized => "Não autenticado"u8,
        Problem.Forbidden => "Acesso negado"u8,
        Problem.NotFound => "Recurso não encontrado"u8,
        Problem.MethodNotAllowed => "Método não permitido"u8,
        Problem.NotAcceptable => "Formato não aceito"u8,
        Problem.Conflict => "Requisição em andamento"u8,
        Problem.Gone => "Recurso não mais disponível"u8,
        Problem.LengthRequired => "Tamanho requerido"u8,
        Problem.PayloadTooLarge => "Mensagem muito grande"u8,
        Problem.UriTooLong => "URI muito longa"u8,
        Problem.UnsupportedMediaType => "Tipo de conteúdo não suportado"u8,
        Problem.Misdirected => "Requisição direcionada à região errada"u8,
        Problem.TooManyRequests => "Muitas requisições"u8,
        Problem.HeadersTooLarge => "Cabeçalhos muito grandes"u8,
        Problem.ServiceUnavailable => "Serviço indisponível"u8,
        Problem.NotImplemented => "Não implementado"u8,
        Problem.HttpVersionNotSupported => "Versão HTTP não suportada"u8,
        _ => "Erro interno"u8,
    };

    public static ReadOnlySpan<byte> ReasonPhrase(int status) => status switch
    {
        200 => "OK"u8,
        201 => "Created"u8,
        204 => "No Content"u8,
        400 => "Bad Request"u8,
        401 => "Unauthorized"u8,
        403 => "Forbidden"u8,
        404 => "Not Found"u8,
        405 => "Method Not Allowed"u8,
        406 => "Not Acceptable"u8,
        409 => "Conflict"u8,
        410 => "Gone"u8,
        411 => "Length Required"u8,
        413 => "Content Too Large"u8,
        414 => "URI Too Long"u8,
        415 => "Unsupported Media Type"u8,
        421 => "Misdirected Request"u8,
        429 => "Too Many Requests"u8,
        431 => "Request Header Fields Too Large"u8,
        500 => "Internal Server Error"u8,
        501 => "Not Implemented"u8,
        503 => "Service Unavailable"u8,
        505 => "HTTP Version Not Supported"u8,
        _ => "Unknown"u8,
    };
}
