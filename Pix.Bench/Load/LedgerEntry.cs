namespace Pix.Bench.Load;

/// <summary>What the ledger knows of one produced message; fields are updated with <see cref="Interlocked"/>.</summary>
internal struct LedgerEntry
{
    public long IntendedTicks;
    public int State;
    public int Received;
    public int Notices;
    public int Abandoned;

    public const int Unknown = 0, AcceptedValid = 1, AcceptedInvalid = 2, Refused = 3, NotSent = 4;
}
