using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RollbackKit;
using RollbackKit.Dispatch;
using RollbackKit.Kubernetes;
using RollbackKit.Kubernetes.Coordination;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Kubernetes.Steps;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;
using RollbackKit.Redaction;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Kubernetes playbook steps, the Lease lock and leader election.</summary>
public static class KubernetesRollbackKitBuilderExtensions
{
    private const string Subsection = "Kubernetes";
    private const string LeaseLockSubsection = "Kubernetes:LeaseLock";
    private const string LeaderElectionSubsection = "Kubernetes:LeaderElection";

    /// <summary>
    /// Adds the step types <c>kubernetes.undo</c>, <c>kubernetes.wait</c>, <c>kubernetes.scale</c>, <c>kubernetes.pause</c>,
    /// <c>kubernetes.resume</c>, <c>kubernetes.restart</c>, <c>kubernetes.traffic</c>, <c>kubernetes.configmap.revert</c> and
    /// <c>kubernetes.evidence</c>, with options bound from <c>RollbackKit:Kubernetes</c> (under whichever section
    /// <c>AddRollbackKit</c> bound), then <paramref name="configure"/>; validated at start. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the options (after configuration binding); optional.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddKubernetes(this IRollbackKitBuilder builder, Action<KubernetesOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddAdapterOptions(Subsection, configure, static path => new KubernetesOptionsValidator(path));
        AddKubernetesServices(builder.Services);
        return builder;
    }

    /// <summary>Adds the Kubernetes step types with options bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Cluster:Kubernetes")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddKubernetes(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddAdapterOptions(Subsection, section, static path => new KubernetesOptionsValidator(path));
        AddKubernetesServices(builder.Services);
        return builder;
    }

    /// <summary>
    /// Replaces the in-process rollback lock with a <c>coordination.k8s.io/v1</c> Lease per target, so that replicas of
    /// the controller never roll back the same target at the same time. Options bind from
    /// <c>RollbackKit:Kubernetes:LeaseLock</c> (under whichever section <c>AddRollbackKit</c> bound), then
    /// <paramref name="configure"/>; validated at start.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the lease options; optional.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddKubernetesLeaseLock(this IRollbackKitBuilder builder, Action<KubernetesLeaseLockOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddKubernetes();
        builder.AddAdapterOptions(LeaseLockSubsection, configure, static path => new KubernetesLeaseLockOptionsValidator(path));
        AddLeaseLockServices(builder.Services);
        return builder;
    }

    /// <summary>Replaces the in-process rollback lock with a Kubernetes Lease, with options bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Cluster:LeaseLock")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddKubernetesLeaseLock(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddKubernetes();
        builder.AddAdapterOptions(LeaseLockSubsection, section, static path => new KubernetesLeaseLockOptionsValidator(path));
        AddLeaseLockServices(builder.Services);
        return builder;
    }

    /// <summary>
    /// Adds Lease-based leader election (<see cref="ILeaderElection"/>), a hosted service that runs it, and makes it the
    /// monitor's <see cref="IMonitorLeadership"/> so that only the leader evaluates triggers. Options bind from
    /// <c>RollbackKit:Kubernetes:LeaderElection</c> (under whichever section <c>AddRollbackKit</c> bound), then
    /// <paramref name="configure"/>; validated at start.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the election options; optional.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddKubernetesLeaderElection(this IRollbackKitBuilder builder, Action<KubernetesLeaderElectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddKubernetes();
        builder.AddAdapterOptions(LeaderElectionSubsection, configure, static path => new KubernetesLeaderElectionOptionsValidator(path));
        AddLeaderElectionServices(builder.Services);
        return builder;
    }

    /// <summary>Adds Lease-based leader election with options bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Cluster:LeaderElection")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddKubernetesLeaderElection(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddKubernetes();
        builder.AddAdapterOptions(LeaderElectionSubsection, section, static path => new KubernetesLeaderElectionOptionsValidator(path));
        AddLeaderElectionServices(builder.Services);
        return builder;
    }

    private static void AddKubernetesServices(IServiceCollection services)
    {
        if (services.Any(static d => d.ServiceType == typeof(KubernetesApi)))
        {
            return;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<KubernetesOptions>, KubernetesContentRootSetup>());
        services.AddSingleton(sp => new KubernetesApi(
            sp.GetRequiredService<IOptions<KubernetesOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesApi>>() ?? NullLogger<KubernetesApi>.Instance,
            client: null));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecretValueSource, KubernetesSecretValues>());
        services.AddRedactedLogger<KubernetesApi>();
        Add(services, "kubernetes.undo", (d, api) => new UndoStep(d, api));
        Add(services, "kubernetes.wait", (d, api) => new WaitStep(d, api));
        Add(services, "kubernetes.scale", (d, api) => new ScaleStep(d, api));
        Add(services, "kubernetes.pause", (d, api) => new PauseStep(d, api, pause: true));
        Add(services, "kubernetes.resume", (d, api) => new PauseStep(d, api, pause: false));
        Add(services, "kubernetes.restart", (d, api) => new RestartStep(d, api));
        Add(services, "kubernetes.traffic", (d, api) => new TrafficStep(d, api));
        Add(services, "kubernetes.configmap.revert", (d, api) => new ConfigMapRevertStep(d, api));
        Add(services, "kubernetes.evidence", (d, api) => new EvidenceStep(d, api));
    }

    private static void AddLeaseLockServices(IServiceCollection services)
    {
        services.RemoveAll<IRollbackLock>();
        services.AddSingleton<IRollbackLock, KubernetesLeaseLock>();
    }

    private static void AddLeaderElectionServices(IServiceCollection services)
    {
        if (services.Any(static d => d.ServiceType == typeof(KubernetesLeaderElection)))
        {
            return;
        }

        services.TryAddSingleton<KubernetesLeaderElection>();
        services.TryAddSingleton<ILeaderElection>(sp => sp.GetRequiredService<KubernetesLeaderElection>());
        services.RemoveAll<IMonitorLeadership>();
        services.AddSingleton<IMonitorLeadership>(sp => sp.GetRequiredService<KubernetesLeaderElection>());
        services.AddHostedService<LeaderElectionService>();
    }

    private static void Add(IServiceCollection services, string type, Func<PlaybookStepDefinition, KubernetesApi, IPlaybookStep> create) =>
        services.AddSingleton<IPlaybookStepFactory>(sp =>
        {
            var api = sp.GetRequiredService<KubernetesApi>();
            return new KubernetesStepFactory(type, d =>
            {
                var step = create(d, api);

                // Checked when a Kubernetes step is configured (the playbooks are built at start): the cluster must be reachable.
                return KubeconfigCheck.Problem(api.Options) is { } problem ? throw new PlaybookConfigurationException(problem) : step;
            });
        });
}
