namespace Pix.Server.Icom;

/// <summary><c>Pix:Http:*</c>.</summary>
public sealed class IcomHttpOptions
{
    /// <summary>Answer 400 invalidHeader to headers outside ICOM's list, as ICOM does; off by default (they are ignored).</summary>
    public bool StrictHeaders { get; set; }
    /// <summary>The base of the problem <c>type</c> URIs.</summary>
    public string ErrorTypeBase { get; set; } = Pix.Protocol.Problems.ProblemXmlWriter.IcomTypeBase;
}
