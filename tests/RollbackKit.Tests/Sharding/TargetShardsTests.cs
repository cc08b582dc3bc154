using System.Text;
using RollbackKit.Sharding;

namespace RollbackKit.Tests.Sharding;

public class TargetShardsTests
{
    [Theory]
    [InlineData("", 2166136261u)] // FNV-1a 32 offset basis
    [InlineData("a", 0xe40c292cu)] // published FNV-1a test vector
    [InlineData("foobar", 0xbf9cf968u)] // published FNV-1a test vector
    [InlineData("shop/web", 3950552388u)]
    public void Hash_KnownInputs_MatchesFnv1a32(string id, uint expected)
    {
        Assert.Equal(expected, TargetShards.Hash(id));
    }

    [Theory]
    [InlineData("shop/web", 16, 4)]
    [InlineData("payments/checkout", 16, 7)]
    [InlineData("target-0", 16, 13)]
    [InlineData("a", 16, 12)]
    [InlineData("payments/checkout", 12, 11)]
    [InlineData("target-0", 12, 9)]
    [InlineData("shop/web", 1, 0)]
    public void ShardOf_FixedIds_AlwaysTheSameShard(string id, int shards, int expected)
    {
        Assert.Equal(expected, TargetShards.ShardOf(id, shards));
    }

    [Fact]
    public void ShardOf_10000IdsOver16Shards_EachShardWithin20PercentOfEven()
    {
        var counts = new int[16];
        for (var i = 0; i < 10_000; i++)
        {
            counts[TargetShards.ShardOf($"team-{i % 37}/service-{i:D5}", 16)]++;
        }

        var even = 10_000 / 16.0;
        Assert.All(counts, c => Assert.InRange(c, even * 0.8, even * 1.2));
        Assert.Equal(10_000, counts.Sum());
    }

    [Theory]
    [InlineData("zürich/käse-ß")]
    [InlineData("日本/サービス")]
    public void Hash_NonAscii_HashesTheUtf8Bytes(string id)
    {
        Assert.Equal(TargetShards.Hash(Encoding.UTF8.GetBytes(id)), TargetShards.Hash(id));
    }

    [Fact]
    public void Hash_IdLongerThanTheStackBuffer_HashesAllBytes()
    {
        var id = "ns/" + new string('x', 1000) + "é";
        var shorter = "ns/" + new string('x', 1000);

        Assert.Equal(TargetShards.Hash(Encoding.UTF8.GetBytes(id)), TargetShards.Hash(id));
        Assert.NotEqual(TargetShards.Hash(shorter), TargetShards.Hash(id));
    }

    [Fact]
    public void ShardOf_ZeroShards_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TargetShards.ShardOf("shop/web", 0));
    }

    [Fact]
    public void Hash_String_AllocatesNothing()
    {
        _ = TargetShards.Hash("warm-up/target");
        var before = GC.GetAllocatedBytesForCurrentThread();
        uint sum = 0;
        for (var i = 0; i < 100; i++)
        {
            sum += TargetShards.Hash("payments/checkout");
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0u, sum);
    }
}
