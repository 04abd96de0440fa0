namespace Pix.Protocol.Media;

/// <summary>How a stream response carries its messages, chosen from the request's <c>Accept</c>.</summary>
public enum ResponseMode : byte
{
    /// <summary>No acceptable type was named: 406.</summary>
    NotAcceptable = 0,
    /// <summary>One message, body is the XML (<c>application/xml</c>, <c>*/*</c> or no Accept).</summary>
    Single,
    /// <summary>Up to the batch size, <c>multipart/mixed</c>.</summary>
    Multipart,
}
