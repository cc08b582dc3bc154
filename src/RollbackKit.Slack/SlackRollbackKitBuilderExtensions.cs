using RollbackKit.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit;
using RollbackKit.Notifications;
using RollbackKit.Redaction;
using RollbackKit.Webhooks;
using RollbackKit.Slack;
using RollbackKit.Slack.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Slack integration to RollbackKit.</summary>
public static class SlackRollbackKitBuilderExtensions
{
    private const string SlackSubsection = "Slack";

    /// <summary>
    /// Adds the Slack notifier and the <c>slack</c> interactivity webhook (Approve / Hold buttons), with options bound
    /// from <c>RollbackKit:Slack</c> (under whichever section <c>AddRollbackKit</c> bound), then <paramref name="configure"/>;
    /// validated at start. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Optional configuration in code, applied after binding.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddSlack(this IRollbackKitBuilder builder, Action<SlackOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddAdapterOptions(SlackSubsection, configure, static path => new SlackOptionsValidator(path));
        AddSlackServices(builder.Services);
        return builder;
    }

    /// <summary>Adds the Slack notifier and the <c>slack</c> interactivity webhook with options bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Deploy:Slack")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddSlack(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddAdapterOptions(SlackSubsection, section, static path => new SlackOptionsValidator(path));
        AddSlackServices(builder.Services);
        return builder;
    }

    private static void AddSlackServices(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        AddHttpClient(services, SlackApiClient.HttpClientName);
        services.TryAddSingleton<IntegrationMetrics>();
        services.TryAddSingleton<SlackApiClient>();
        services.TryAddSingleton<SlackApproverPolicy>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotifier, SlackNotifier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInboundWebhookHandler, SlackInteractionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecretValueSource, SlackSecretValues>());
    }

    private static void AddHttpClient(IServiceCollection services, string name)
    {
        // No default HttpClient logging: request URIs (incoming webhook URLs, response URLs) carry secrets.
        services.AddHttpClient(name, static client => client.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
    }
}
