using System.Buffers;
using System.Text;

namespace RollbackKit.Sharding;

/// <summary>
/// The stable mapping of a target to its shard: the 32-bit FNV-1a hash of the target id's UTF-8 bytes (offset basis
/// 2166136261, prime 16777619), modulo the shard count. The same id gives the same shard in every process, on every
/// platform and in every version (unlike <see cref="string.GetHashCode()"/>, which is randomized per process).
/// </summary>
public static class TargetShards
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;
    private const int StackLimit = 256;

    /// <summary>The 32-bit FNV-1a hash of <paramref name="targetId"/>'s UTF-8 bytes.</summary>
    /// <param name="targetId">The target id, for example <c>payments/checkout</c>.</param>
    /// <returns>The hash.</returns>
    public static uint Hash(string targetId)
    {
        ArgumentNullException.ThrowIfNull(targetId);
        var length = Encoding.UTF8.GetMaxByteCount(targetId.Length);
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(targetId, buffer);
            return Hash(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The 32-bit FNV-1a hash of <paramref name="utf8"/>.</summary>
    /// <param name="utf8">The bytes to hash.</param>
    /// <returns>The hash.</returns>
    public static uint Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = OffsetBasis;
        foreach (var b in utf8)
        {
            hash ^= b;
            hash *= Prime;
        }

        return hash;
    }

    /// <summary>The shard of <paramref name="targetId"/>: <c>Hash(targetId) % shardCount</c>, in [0, <paramref name="shardCount"/>).</summary>
    /// <param name="targetId">The target id.</param>
    /// <param name="shardCount">The number of shards (at least 1).</param>
    /// <returns>The shard number.</returns>
    public static int ShardOf(string targetId, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        return (int)(Hash(targetId) % (uint)shardCount);
    }
}
