using System.Reflection;

namespace Pix.Storage.Redis;

/// <summary>The Lua scripts (embedded <c>Scripts/*.lua</c>), each with the shared helpers of <c>common.lua</c> in front.
/// StackExchange.Redis sends them by SHA once the server knows them.</summary>
internal static class RedisScripts
{
    public static readonly string Append = Load("append");
    public static readonly string Open = Load("open");
    public static readonly string Read = Load("read");
    public static readonly string Close = Load("close");
    public static readonly string Reap = Load("reap");
    public static readonly string Stats = Load("stats");
    public static readonly string Admit = Load("admit");
    public static readonly string Notice = Load("notice");
    public static readonly string Keep = Load("keep");

    private static string Load(string name) => Text("common") + "\n" + Text(name);

    private static string Text(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Pix.Storage.Redis.Scripts.{name}.lua")
            ?? throw new InvalidOperationException($"The Redis script {name}.lua is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
