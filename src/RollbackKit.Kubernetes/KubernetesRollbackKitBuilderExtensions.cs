using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Kubernetes;
using RollbackKit.Kubernetes.Coordination;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Kubernetes.Steps;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;

namespace RollbackKit;

/// <summary>Registers the Kubernetes playbook steps, the Lease lock and leader election.</summary>
public static class KubernetesRollbackKitBuilderExtensions
{
    /// <summary>Configuration path of the options: <c>RollbackKit:Kubernetes</c>.</summary>
    public const string ConfigurationPath = "RollbackKit:" + KubernetesOptions.SectionName;

    /// <summary>
    /// Adds the step types <c>kubernetes.undo</c>, <c>kubernetes.wait</c>, <c>kubernetes.scale</c>, <c>kubernetes.pause</c>,
    /// <c>kubernetes.resume</c>, <c>kubernetes.restart</c>, <c>kubernetes.traffic</c>, <c>kubernetes.configmap.revert</c> and
    /// <c>kubernetes.evidence</c>, with options bound from <c>RollbackKit:Kubernetes</c>. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the options (after configuration binding).</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddKubernetes(this IRollbackKitBuilder builder, Action<KubernetesOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(static d => d.ServiceType == typeof(KubernetesApi)))
        {
            return builder;
        }

        services.AddOptions<KubernetesOptions>()
            .BindConfiguration(ConfigurationPath)
            .Validate(o => o.RequestTimeout > TimeSpan.Zero, $"{ConfigurationPath}:RequestTimeout must be positive")
            .Validate(o => o.MaxRetries >= 0, $"{ConfigurationPath}:MaxRetries must be >= 0")
            .Validate(o => o.ConflictRetries >= 0, $"{ConfigurationPath}:ConflictRetries must be >= 0")
            .Validate(o => o.RetryDelay >= TimeSpan.Zero, $"{ConfigurationPath}:RetryDelay must be >= 0")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new KubernetesApi(
            sp.GetRequiredService<IOptions<KubernetesOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesApi>>() ?? NullLogger<KubernetesApi>.Instance,
            client: null));
        Add(services, "kubernetes.undo", (d, api) => new UndoStep(d, api));
        Add(services, "kubernetes.wait", (d, api) => new WaitStep(d, api));
        Add(services, "kubernetes.scale", (d, api) => new ScaleStep(d, api));
        Add(services, "kubernetes.pause", (d, api) => new PauseStep(d, api, pause: true));
        Add(services, "kubernetes.resume", (d, api) => new PauseStep(d, api, pause: false));
        Add(services, "kubernetes.restart", (d, api) => new RestartStep(d, api));
        Add(services, "kubernetes.traffic", (d, api) => new TrafficStep(d, api));
        Add(services, "kubernetes.configmap.revert", (d, api) => new ConfigMapRevertStep(d, api));
        Add(services, "kubernetes.evidence", (d, api) => new EvidenceStep(d, api));
        return builder;
    }

    /// <summary>
    /// Replaces the in-process rollback lock with a <c>coordination.k8s.io/v1</c> Lease per target, so that replicas of
    /// the controller never roll back the same target at the same time. Options bind from <c>RollbackKit:Kubernetes:LeaseLock</c>.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the lease options.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddKubernetesLeaseLock(this IRollbackKitBuilder builder, Action<KubernetesLeaseLockOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddKubernetes();
        var services = builder.Services;
        services.AddOptions<KubernetesLeaseLockOptions>()
            .BindConfiguration(ConfigurationPath + ":LeaseLock")
            .Validate(o => o.LeaseDuration > o.RenewInterval && o.RenewInterval > TimeSpan.Zero, $"{ConfigurationPath}:LeaseLock: LeaseDuration must be greater than RenewInterval (> 0)")
            .Validate(o => !string.IsNullOrWhiteSpace(o.HolderIdentity), $"{ConfigurationPath}:LeaseLock:HolderIdentity is required")
            .ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.RemoveAll<IRollbackLock>();
        services.AddSingleton<IRollbackLock, KubernetesLeaseLock>();
        return builder;
    }

    /// <summary>
    /// Adds Lease-based leader election (<see cref="ILeaderElection"/>), a hosted service that runs it, and makes it the
    /// monitor's <see cref="IMonitorLeadership"/> so that only the leader evaluates triggers.
    /// Options bind from <c>RollbackKit:Kubernetes:LeaderElection</c>.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the election options.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddKubernetesLeaderElection(this IRollbackKitBuilder builder, Action<KubernetesLeaderElectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddKubernetes();
        var services = builder.Services;
        services.AddOptions<KubernetesLeaderElectionOptions>()
            .BindConfiguration(ConfigurationPath + ":LeaderElection")
            .Validate(o => o.LeaseDuration > o.RetryPeriod && o.RetryPeriod > TimeSpan.Zero, $"{ConfigurationPath}:LeaderElection: LeaseDuration must be greater than RetryPeriod (> 0)")
            .ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<KubernetesLeaderElection>();
        services.TryAddSingleton<ILeaderElection>(sp => sp.GetRequiredService<KubernetesLeaderElection>());
        services.RemoveAll<IMonitorLeadership>();
        services.AddSingleton<IMonitorLeadership>(sp => sp.GetRequiredService<KubernetesLeaderElection>());
        services.AddHostedService<LeaderElectionService>();
        return builder;
    }

    private static void Add(IServiceCollection services, string type, Func<PlaybookStepDefinition, KubernetesApi, IPlaybookStep> create) =>
        services.AddSingleton<IPlaybookStepFactory>(sp =>
        {
            var api = sp.GetRequiredService<KubernetesApi>();
            return new KubernetesStepFactory(type, d => create(d, api));
        });
}
