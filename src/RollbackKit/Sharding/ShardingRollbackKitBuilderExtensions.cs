using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit;
using RollbackKit.Sharding;
using RollbackKit.Sharding.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers sharding of the targets (<c>RollbackKit:Sharding</c>).</summary>
public static class ShardingRollbackKitBuilderExtensions
{
    /// <summary>
    /// Splits the targets into <see cref="ShardingOptions.Shards"/> shards, with options bound from
    /// <c>RollbackKit:Sharding</c> (under whichever section <c>AddRollbackKit</c> bound), then <paramref name="configure"/>;
    /// validated at start. Alone it registers an <see cref="IShardOwnership"/> that owns every shard (one replica);
    /// <c>AddKubernetesSharding()</c> replaces it with Lease-based ownership. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the options (after configuration binding); optional.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddSharding(this IRollbackKitBuilder builder, Action<ShardingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddAdapterOptions(ShardingOptions.SectionName, configure, static path => new ShardingOptionsValidator(path));
        builder.Services.TryAddSingleton<IShardOwnership, AllShardsOwnership>();
        return builder;
    }

    /// <summary>Splits the targets into shards, with options bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Cluster:Sharding")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddSharding(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddAdapterOptions(ShardingOptions.SectionName, section, static path => new ShardingOptionsValidator(path));
        builder.Services.TryAddSingleton<IShardOwnership, AllShardsOwnership>();
        return builder;
    }
}
