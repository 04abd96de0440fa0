namespace Pix.Storage.Embedded;

/// <summary>What the group commit did since the store opened: fsyncs, requests and messages they covered, bytes written.</summary>
public readonly record struct GroupCommitCounters(long Fsyncs, long Entries, long Messages, long Bytes)
{
    public double MeanGroupSize => Fsyncs == 0 ? 0 : (double)Entries / Fsyncs;
}
