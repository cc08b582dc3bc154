using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RollbackKit.Notifications;
using RollbackKit.Signals;
using RollbackKit.Slack;
using RollbackKit.Slack.Internal;

namespace RollbackKit;

/// <summary>Adds the Slack and PagerDuty integrations to RollbackKit.</summary>
public static class SlackRollbackKitBuilderExtensions
{
    /// <summary>
    /// Adds the Slack notifier and the <c>slack</c> interactivity webhook (Approve / Hold buttons), with options bound
    /// from <c>RollbackKit:Slack</c> and validated at start.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Optional configuration in code, applied after binding.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddSlack(this IRollbackKitBuilder builder, Action<SlackOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<SlackOptions>().ValidateOnStart();
        builder.BindOptionsSection<SlackOptions>("Slack");

        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SlackOptions>, SlackOptionsValidator>());
        AddHttpClient(services, SlackApiClient.HttpClientName);
        services.TryAddSingleton<IntegrationMetrics>();
        services.TryAddSingleton<SlackApiClient>();
        services.TryAddSingleton<SlackApproverPolicy>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotifier, SlackNotifier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInboundWebhookHandler, SlackInteractionHandler>());
        return builder;
    }

    /// <summary>
    /// Adds the PagerDuty escalation notifier (Events API v2) and the <c>pagerduty</c> incident webhook (v3), with options
    /// bound from <c>RollbackKit:PagerDuty</c> and validated at start.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Optional configuration in code, applied after binding.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPagerDuty(this IRollbackKitBuilder builder, Action<PagerDutyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<PagerDutyOptions>().ValidateOnStart();
        builder.BindOptionsSection<PagerDutyOptions>("PagerDuty");

        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PagerDutyOptions>, PagerDutyOptionsValidator>());
        AddHttpClient(services, PagerDutyNotifier.HttpClientName);
        services.TryAddSingleton<IntegrationMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotifier, PagerDutyNotifier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInboundWebhookHandler, PagerDutyWebhookHandler>());
        return builder;
    }

    private static void AddHttpClient(IServiceCollection services, string name)
    {
        // No default HttpClient logging: request URIs (incoming webhook URLs, response URLs) carry secrets.
        services.AddHttpClient(name, static client => client.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
    }
}
