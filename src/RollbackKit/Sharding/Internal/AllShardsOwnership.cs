using Microsoft.Extensions.Options;

namespace RollbackKit.Sharding.Internal;

/// <summary>The single-replica ownership: every shard, always.</summary>
internal sealed class AllShardsOwnership(IOptions<ShardingOptions> options) : IShardOwnership
{
    private readonly int[] _all = Enumerable.Range(0, Math.Max(1, options.Value.Shards)).ToArray();

    public int ShardCount => _all.Length;

    public bool Owns(int shard) => (uint)shard < (uint)_all.Length;

    public IReadOnlyList<int> GetOwnedShards() => _all;

    // Ownership never changes.
    public event EventHandler? OwnershipChanged
    {
        add { }
        remove { }
    }
}

/// <summary>Validates <see cref="ShardingOptions"/>; messages start with the real key path.</summary>
internal sealed class ShardingOptionsValidator(string keyPath) : IValidateOptions<ShardingOptions>
{
    public ValidateOptionsResult Validate(string? name, ShardingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Shards >= 1
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{keyPath}:Shards: must be at least 1, got {options.Shards.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
    }
}
