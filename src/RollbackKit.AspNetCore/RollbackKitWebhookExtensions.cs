using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RollbackKit.AspNetCore;
using RollbackKit.AspNetCore.Internal;
using RollbackKit.Signals;

namespace RollbackKit;

/// <summary>Registers and maps RollbackKit's inbound webhooks on ASP.NET Core.</summary>
public static class RollbackKitWebhookExtensions
{
    /// <summary>
    /// Maps <c>POST {prefix}/{name}</c> for every registered <see cref="IInboundWebhookHandler"/> (Alertmanager, PagerDuty,
    /// policy breach, Slack, …). Unknown names get 404, bodies over <see cref="RollbackKitWebhookOptions.MaxBodyBytes"/> get 413.
    /// </summary>
    /// <param name="endpoints">The application's endpoint builder.</param>
    /// <param name="prefix">The route prefix. Default: <c>/rollbackkit</c>.</param>
    /// <returns>The route group, for adding filters, authorization or rate limiting.</returns>
    public static RouteGroupBuilder MapRollbackKitWebhooks(this IEndpointRouteBuilder endpoints, string prefix = "/rollbackkit")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var endpoint = ActivatorUtilities.CreateInstance<WebhookEndpoint>(endpoints.ServiceProvider);
        var group = endpoints.MapGroup(prefix);
        group.MapPost("/{name}", endpoint.HandleAsync);
        return group;
    }

    /// <summary>Binds <see cref="RollbackKitWebhookOptions"/> from <c>RollbackKit:Webhooks</c> (validated at start) and applies <paramref name="configure"/>.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Optional configuration in code, applied after binding.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddWebhookEndpoints(this IRollbackKitBuilder builder, Action<RollbackKitWebhookOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<RollbackKitWebhookOptions>().ValidateOnStart();
        builder.BindOptionsSection<RollbackKitWebhookOptions>("Webhooks");
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RollbackKitWebhookOptions>, WebhookOptionsValidator>());
        return builder;
    }

    /// <summary>
    /// Adds the <c>policy-breach</c> webhook: a signed <c>policy.breach</c> event naming a target becomes a policy-breach
    /// rollback request. Options are bound from <c>RollbackKit:PolicyBreach</c> and validated at start.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Optional configuration in code, applied after binding.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPolicyBreachWebhook(this IRollbackKitBuilder builder, Action<PolicyBreachOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddWebhookEndpoints();
        var options = builder.Services.AddOptions<PolicyBreachOptions>().ValidateOnStart();
        builder.BindOptionsSection<PolicyBreachOptions>("PolicyBreach");
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PolicyBreachOptions>, PolicyBreachOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IInboundWebhookHandler, PolicyBreachWebhookHandler>());
        return builder;
    }
}
