using System.Numerics;

namespace Pix.Server.Icom;

/// <summary>Which messages of a batch (by index, at most 32) are left out of the response; a bit set, no allocation.</summary>
internal sealed class SkipSet
{
    private uint _bits;

    public int Count => BitOperations.PopCount(_bits);

    public bool Contains(int index) => (_bits & (1u << index)) != 0;

    public void Add(int index) => _bits |= 1u << index;

    public void Clear() => _bits = 0;

    public int FirstHealthy(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (!Contains(i)) return i;
        }
        return -1;
    }
}
