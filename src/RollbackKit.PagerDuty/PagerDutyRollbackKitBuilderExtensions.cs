using RollbackKit.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit;
using RollbackKit.Notifications;
using RollbackKit.PagerDuty;
using RollbackKit.PagerDuty.Internal;
using RollbackKit.Redaction;
using RollbackKit.Webhooks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the PagerDuty integration to RollbackKit.</summary>
public static class PagerDutyRollbackKitBuilderExtensions
{
    private const string Subsection = "PagerDuty";

    /// <summary>
    /// Adds the PagerDuty escalation notifier (Events API v2) and the <c>pagerduty</c> incident webhook (v3), with options
    /// bound from <c>RollbackKit:PagerDuty</c> (under whichever section <c>AddRollbackKit</c> bound), then
    /// <paramref name="configure"/>; validated at start. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Optional configuration in code, applied after binding.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPagerDuty(this IRollbackKitBuilder builder, Action<PagerDutyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddAdapterOptions(Subsection, configure, static path => new PagerDutyOptionsValidator(path));
        AddPagerDutyServices(builder.Services);
        return builder;
    }

    /// <summary>Adds the PagerDuty notifier and incident webhook with options bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("OnCall:PagerDuty")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPagerDuty(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddAdapterOptions(Subsection, section, static path => new PagerDutyOptionsValidator(path));
        AddPagerDutyServices(builder.Services);
        return builder;
    }

    private static void AddPagerDutyServices(IServiceCollection services)
    {
        if (services.Any(static d => d.ServiceType == typeof(INotifier) && d.ImplementationType == typeof(PagerDutyNotifier)))
        {
            return;
        }

        services.TryAddSingleton(TimeProvider.System);

        // No default HttpClient logging: request URIs and bodies carry the routing key. Retries (429, 5xx, transport
        // errors, attempt timeouts) are the client's resilience handler; its waits are network time, on the system clock.
        services.AddHttpClient(PagerDutyNotifier.HttpClientName, static client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers()
            .AddResilienceHandler(PagerDutyRetryHandler.PipelineName, PagerDutyRetryHandler.Configure);
        services.TryAddSingleton<IntegrationMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotifier, PagerDutyNotifier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInboundWebhookHandler, PagerDutyWebhookHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecretValueSource, PagerDutySecretValues>());

        // Log lines carry error bodies and exceptions: through the one redactor.
        services.AddRedactedLogger<PagerDutyNotifier>();
        services.AddRedactedLogger<PagerDutyWebhookHandler>();
    }
}
