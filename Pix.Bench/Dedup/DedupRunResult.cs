namespace Pix.Bench.Dedup;

/// <summary>One candidate's figures at one key count, as written to <c>{engine}-{keys}.json</c>.</summary>
internal sealed class DedupRunResult
{
    public string Engine { get; set; } = "";
    public long Keys { get; set; }
    public long CacheBytes { get; set; }
    public double InsertSeconds { get; set; }
    public double InsertKeysPerSecond { get; set; }
    public Dictionary<string, double> AddMicros { get; set; } = new();
    public long RssAfterInsert { get; set; }
    public long HeapAfterInsert { get; set; }
    public long DiskBytes { get; set; }
    public string StateAfterInsert { get; set; } = "";
    public bool Cold { get; set; }
    public double OpenSeconds { get; set; }
    public long RssAfterOpen { get; set; }
    public long RssAfterLookups { get; set; }
    public long HeapAfterLookups { get; set; }
    public long Lookups { get; set; }
    public double PresentShare { get; set; }
    public long WrongAnswers { get; set; }
    public Dictionary<string, double> LookupMicros { get; set; } = new();
    public Dictionary<string, double> AbsentMicros { get; set; } = new();
    public Dictionary<string, double> PresentMicros { get; set; } = new();
    public double ExpiryKeysPerSecond { get; set; }
    public string Expiry { get; set; } = "";
    public long DiskBytesAfterExpiry { get; set; }
    public string StateAfterExpiry { get; set; } = "";
}
