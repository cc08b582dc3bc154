using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.AspNetCore;
using RollbackKit.AspNetCore.Internal;
using RollbackKit.Webhooks;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps RollbackKit's inbound webhooks on ASP.NET Core.</summary>
public static class RollbackKitWebhookEndpointRouteBuilderExtensions
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
        // Created on the first request, so that handlers and their dependencies are resolved once the host has started.
        var services = endpoints.ServiceProvider;
        var endpoint = new Lazy<WebhookEndpoint>(() => ActivatorUtilities.CreateInstance<WebhookEndpoint>(services));
        var group = endpoints.MapGroup(prefix);
        group.MapPost("/{name}", context => endpoint.Value.HandleAsync(context));
        return group;
    }
}
