namespace Pix.Storage.Embedded;

/// <summary>What a log record holds. Stored as one byte: never renumber.</summary>
internal enum LogRecordType : byte
{
    Message = 1,
    StreamOpened = 2,
    /// <summary>Claims by sequence only (logs written before claims named their messages); still replayed.</summary>
    Claimed = 3,
    StreamClosed = 4,
    Notice = 5,
    NoticeSent = 6,
    QuarantineReleased = 7,

    /// <summary>Stands where a repair took damaged bytes out (they are in <c>damaged/</c>); replay skips it.</summary>
    SetAside = 8,

    /// <summary>A batch claimed (and the previous acknowledged), each message by sequence and id: replay checks that
    /// the sequence still holds that message.</summary>
    ClaimedIds = 9,

    /// <summary>A copy of a Message record written by compaction: the message (still queued or quarantined) now lives
    /// here, so its old segment can go. Replay points the message at it; a message no longer kept is ignored.</summary>
    MessageMoved = 10,
}
