namespace Pix.Storage.Embedded;

/// <summary>What a log record holds. Stored as one byte: never renumber.</summary>
internal enum LogRecordType : byte
{
    Message = 1,
    StreamOpened = 2,
    Claimed = 3,
    StreamClosed = 4,
    Notice = 5,
    NoticeSent = 6,
    QuarantineReleased = 7,

    /// <summary>Stands where a repair took damaged bytes out (they are in <c>damaged/</c>); replay skips it.</summary>
    SetAside = 8,
}
