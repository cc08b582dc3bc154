using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit;
using RollbackKit.Metrics;
using RollbackKit.Prometheus;
using RollbackKit.Prometheus.Alertmanager;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Signals;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Prometheus metric source and the Alertmanager signal to RollbackKit.</summary>
public static class PrometheusRollbackKitBuilderExtensions
{
    /// <summary>
    /// Adds the Prometheus metric source with options bound from <c>RollbackKit:Prometheus</c> (when an
    /// <see cref="IConfiguration"/> is registered), then <paramref name="configure"/>; validated at start.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the options, for example <c>o =&gt; o.BaseAddress = new Uri("http://127.0.0.1:9090")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPrometheus(this IRollbackKitBuilder builder, Action<PrometheusOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        AddPrometheusCore(builder.Services, PrometheusOptions.DefaultSectionPath);
        BindIfConfigured<PrometheusOptions>(builder.Services, PrometheusOptions.DefaultSectionPath);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Adds the Prometheus metric source with options bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("RollbackKit:Prometheus")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPrometheus(this IRollbackKitBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        AddPrometheusCore(builder.Services, section is IConfigurationSection s ? s.Path : PrometheusOptions.DefaultSectionPath);
        builder.Services.AddOptions<PrometheusOptions>().Bind(section);
        return builder;
    }

    /// <summary>
    /// Adds the Alertmanager webhook handler (named <c>alertmanager</c>) with options bound from
    /// <c>RollbackKit:Alertmanager</c> (when an <see cref="IConfiguration"/> is registered), then <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Configures the options; optional.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddAlertmanagerSignals(this IRollbackKitBuilder builder, Action<AlertmanagerSignalOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddAlertmanagerCore(builder.Services, AlertmanagerSignalOptions.DefaultSectionPath);
        BindIfConfigured<AlertmanagerSignalOptions>(builder.Services, AlertmanagerSignalOptions.DefaultSectionPath);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder;
    }

    /// <summary>Adds the Alertmanager webhook handler with options bound from <paramref name="section"/>.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("RollbackKit:Alertmanager")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddAlertmanagerSignals(this IRollbackKitBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        AddAlertmanagerCore(builder.Services, section is IConfigurationSection s ? s.Path : AlertmanagerSignalOptions.DefaultSectionPath);
        builder.Services.AddOptions<AlertmanagerSignalOptions>().Bind(section);
        return builder;
    }

    /// <summary>Binds the options from <paramref name="path"/> when an <see cref="IConfiguration"/> is registered.</summary>
    private static void BindIfConfigured<TOptions>(IServiceCollection services, string path)
        where TOptions : class
    {
        services.AddSingleton<IConfigureOptions<TOptions>>(sp => new ConfigureNamedOptions<TOptions>(
            Options.Options.DefaultName,
            options => sp.GetService<IConfiguration>()?.GetSection(path).Bind(options)));
    }

    private static void AddPrometheusCore(IServiceCollection services, string sectionPath)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PrometheusInstrumentation>();
        services.AddOptions<PrometheusOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PrometheusOptions>>(new PrometheusOptionsValidator(sectionPath)));
        services.AddHttpClient(PrometheusClient.HttpClientName)
            .ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RedactLoggedHeaders(static _ => true)
            .ConfigurePrimaryHttpMessageHandler(static sp => PrometheusHttpHandler.Create(sp.GetRequiredService<IOptions<PrometheusOptions>>().Value));
        services.TryAddSingleton(static sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new PrometheusClient(
                () => factory.CreateClient(PrometheusClient.HttpClientName),
                sp.GetRequiredService<IOptions<PrometheusOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("RollbackKit.Prometheus.PrometheusClient"));
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, PrometheusMetricSource>());
    }

    private static void AddAlertmanagerCore(IServiceCollection services, string sectionPath)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PrometheusInstrumentation>();
        services.AddOptions<AlertmanagerSignalOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertmanagerSignalOptions>>(new AlertmanagerSignalOptionsValidator(sectionPath)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInboundWebhookHandler, AlertmanagerWebhookHandler>());
    }
}
