using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit;
using RollbackKit.Kubernetes;
using RollbackKit.Kubernetes.Sharding;
using RollbackKit.Sharding;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Lease-based shard ownership among controller replicas.</summary>
public static class KubernetesShardingRollbackKitBuilderExtensions
{
    private const string Subsection = "Kubernetes:Sharding";

    /// <summary>
    /// Shares the shards (<c>RollbackKit:Sharding:Shards</c>, see <c>AddSharding()</c>) among replicas through one
    /// <c>coordination.k8s.io/v1</c> Lease per shard held by KubernetesClient's leader election, and makes it the monitor's
    /// <see cref="IShardOwnership"/>: each replica evaluates and dispatches only the targets of the shards it holds. A
    /// hosted service runs the elections. Options bind from <c>RollbackKit:Kubernetes:Sharding</c> (under whichever
    /// section <c>AddRollbackKit</c> bound), then <paramref name="configure"/>; validated at start. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the options (after configuration binding); optional.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddKubernetesSharding(this IRollbackKitBuilder builder, Action<KubernetesShardingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddKubernetes();
        builder.AddSharding();
        builder.AddAdapterOptions(Subsection, configure, static path => new KubernetesShardingOptionsValidator(path));
        AddServices(builder.Services);
        return builder;
    }

    /// <summary>Shares the shards among replicas through Kubernetes Leases, with options bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Cluster:Sharding")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddKubernetesSharding(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddKubernetes();
        builder.AddSharding();
        builder.AddAdapterOptions(Subsection, section, static path => new KubernetesShardingOptionsValidator(path));
        AddServices(builder.Services);
        return builder;
    }

    private static void AddServices(IServiceCollection services)
    {
        if (services.Any(static d => d.ServiceType == typeof(KubernetesShardOwnership)))
        {
            return;
        }

        services.AddSingleton<KubernetesShardOwnership>();
        services.RemoveAll<IShardOwnership>();
        services.AddSingleton<IShardOwnership>(static sp => sp.GetRequiredService<KubernetesShardOwnership>());
        services.AddHostedService<KubernetesShardingService>();
    }
}
