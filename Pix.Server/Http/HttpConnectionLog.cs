using Microsoft.Extensions.Logging;

namespace Pix.Server.Http;

/// <summary>Cached log delegates, so logging costs nothing when the level is off.</summary>
internal static class HttpConnectionLog
{
    private static readonly Action<ILogger, string, RequestError, Exception?> s_badRequest =
        LoggerMessage.Define<string, RequestError>(LogLevel.Debug, new EventId(1, "BadRequest"),
            "Connection {ConnectionId}: request refused ({Reason}); closing.");

    private static readonly Action<ILogger, string, Exception?> s_applicationFailed =
        LoggerMessage.Define<string>(LogLevel.Error, new EventId(2, "ApplicationFailed"),
            "Connection {ConnectionId}: the application failed; answered 500 if it could, closing.");

    private static readonly Action<ILogger, string, long, Exception?> s_incompleteResponse =
        LoggerMessage.Define<string, long>(LogLevel.Error, new EventId(3, "IncompleteResponse"),
            "Connection {ConnectionId}: the application left {Missing} body bytes unwritten (or no response); closing.");

    private static readonly Action<ILogger, string, Exception?> s_connectionFailed =
        LoggerMessage.Define<string>(LogLevel.Debug, new EventId(4, "ConnectionFailed"),
            "Connection {ConnectionId}: transport error.");

    private static readonly Action<ILogger, string, Exception?> s_connectionFaulted =
        LoggerMessage.Define<string>(LogLevel.Error, new EventId(5, "ConnectionFaulted"),
            "Connection {ConnectionId}: unexpected failure of the HTTP layer; connection closed.");

    private static readonly Action<ILogger, string, int, Exception?> s_tooManyFromClient =
        LoggerMessage.Define<string, int>(LogLevel.Debug, new EventId(6, "TooManyFromClient"),
            "Connection {ConnectionId}: its client already holds {Limit} connections (Pix:Limits:MaxConnectionsPerClient); closed.");

    private static readonly Action<ILogger, string, string, Exception?> s_timedOut =
        LoggerMessage.Define<string, string>(LogLevel.Debug, new EventId(7, "TimedOut"),
            "Connection {ConnectionId}: {Phase} timeout; closed.");

    public static void TooManyFromClient(ILogger logger, string connectionId, int limit) => s_tooManyFromClient(logger, connectionId, limit, null);

    public static void TimedOut(ILogger logger, string connectionId, string phase) => s_timedOut(logger, connectionId, phase, null);

    public static void BadRequest(ILogger logger, string connectionId, RequestError reason) => s_badRequest(logger, connectionId, reason, null);

    public static void ApplicationFailed(ILogger logger, string connectionId, Exception exception) => s_applicationFailed(logger, connectionId, exception);

    public static void IncompleteResponse(ILogger logger, string connectionId, long missing) => s_incompleteResponse(logger, connectionId, missing, null);

    public static void ConnectionFailed(ILogger logger, string connectionId, Exception exception) => s_connectionFailed(logger, connectionId, exception);

    public static void ConnectionFaulted(ILogger logger, string connectionId, Exception exception) => s_connectionFaulted(logger, connectionId, exception);
}
