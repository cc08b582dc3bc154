using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit;
using RollbackKit.Metrics;
using RollbackKit.Prometheus;
using RollbackKit.Prometheus.Alertmanager;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Redaction;
using RollbackKit.Webhooks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Prometheus metric source and the Alertmanager signal to RollbackKit.</summary>
public static class PrometheusRollbackKitBuilderExtensions
{
    private const string PrometheusSubsection = "Prometheus";
    private const string AlertmanagerSubsection = "Alertmanager";

    /// <summary>
    /// Adds the Prometheus metric source with options bound from <c>RollbackKit:Prometheus</c> (under whichever section
    /// <c>AddRollbackKit</c> bound); validated at start. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPrometheus(this IRollbackKitBuilder builder) => AddPrometheusWith(builder, null);

    /// <summary>
    /// Adds the Prometheus metric source with options bound from <c>RollbackKit:Prometheus</c> (under whichever section
    /// <c>AddRollbackKit</c> bound), then <paramref name="configure"/>; validated at start. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the options, for example <c>o =&gt; o.BaseAddress = new Uri("http://127.0.0.1:9090")</c>; <see langword="null"/> binds only.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPrometheus(this IRollbackKitBuilder builder, Action<PrometheusOptions>? configure) =>
        AddPrometheusWith(builder, configure);

    /// <summary>Adds the Prometheus metric source with options bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Observability:Prometheus")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPrometheus(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddAdapterOptions(PrometheusSubsection, section, static path => new PrometheusOptionsValidator(path));
        AddPrometheusCore(builder.Services);
        return builder;
    }

    /// <summary>
    /// Adds the Alertmanager webhook handler (named <c>alertmanager</c>) with options bound from
    /// <c>RollbackKit:Alertmanager</c> (under whichever section <c>AddRollbackKit</c> bound); validated at start.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddAlertmanagerSignals(this IRollbackKitBuilder builder) => AddAlertmanagerWith(builder, null);

    /// <summary>
    /// Adds the Alertmanager webhook handler (named <c>alertmanager</c>) with options bound from
    /// <c>RollbackKit:Alertmanager</c> (under whichever section <c>AddRollbackKit</c> bound), then <paramref name="configure"/>;
    /// validated at start.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the options; <see langword="null"/> binds only.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddAlertmanagerSignals(this IRollbackKitBuilder builder, Action<AlertmanagerSignalOptions>? configure) =>
        AddAlertmanagerWith(builder, configure);

    /// <summary>Adds the Alertmanager webhook handler with options bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Observability:Alertmanager")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddAlertmanagerSignals(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddAdapterOptions(AlertmanagerSubsection, section, static path => new AlertmanagerSignalOptionsValidator(path));
        AddAlertmanagerCore(builder.Services);
        return builder;
    }

    private static IRollbackKitBuilder AddPrometheusWith(IRollbackKitBuilder builder, Action<PrometheusOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddAdapterOptions(PrometheusSubsection, configure, static path => new PrometheusOptionsValidator(path));
        AddPrometheusCore(builder.Services);
        return builder;
    }

    private static IRollbackKitBuilder AddAlertmanagerWith(IRollbackKitBuilder builder, Action<AlertmanagerSignalOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddAdapterOptions(AlertmanagerSubsection, configure, static path => new AlertmanagerSignalOptionsValidator(path));
        AddAlertmanagerCore(builder.Services);
        return builder;
    }

    private static void AddPrometheusCore(IServiceCollection services)
    {
        if (services.Any(static d => d.ServiceType == typeof(PrometheusClient)))
        {
            return;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PrometheusInstrumentation>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<PrometheusOptions>, PrometheusContentRootSetup>());
        // No IHttpClientFactory request logging (Information per request, thousands of lines an hour): the client
        // logs each answer at Debug itself (event 2005), without headers, query or credentials.
        services.AddHttpClient(PrometheusClient.HttpClientName)
            .ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(static sp => PrometheusHttpHandler.Create(sp.GetRequiredService<IOptions<PrometheusOptions>>().Value));
        services.TryAddSingleton(static sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new PrometheusClient(
                () => factory.CreateClient(PrometheusClient.HttpClientName),
                sp.GetRequiredService<IOptions<PrometheusOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<PrometheusClient>>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, PrometheusMetricSource>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricHistorySource, PrometheusHistorySource>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecretValueSource, PrometheusSecretValues>());

        // Error texts, URLs and exceptions in log lines go through the one redactor.
        services.AddRedactedLogger<PrometheusClient>();
        services.AddRedactedLogger<PrometheusMetricSource>();
    }

    private static void AddAlertmanagerCore(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PrometheusInstrumentation>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInboundWebhookHandler, AlertmanagerWebhookHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecretValueSource, AlertmanagerSecretValues>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AlertmanagerStartupWarning>());
        services.AddRedactedLogger<AlertmanagerWebhookHandler>();
        services.AddRedactedLogger<AlertmanagerStartupWarning>();
    }
}
