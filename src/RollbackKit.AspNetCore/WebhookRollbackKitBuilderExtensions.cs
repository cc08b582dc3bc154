using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit;
using RollbackKit.AspNetCore;
using RollbackKit.AspNetCore.Internal;
using RollbackKit.Redaction;
using RollbackKit.Webhooks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers RollbackKit's inbound webhook options and the policy-breach webhook.</summary>
public static class WebhookRollbackKitBuilderExtensions
{
    private const string WebhooksSubsection = "Webhooks";
    private const string PolicyBreachSubsection = "PolicyBreach";

    /// <summary>
    /// Binds <see cref="RollbackKitWebhookOptions"/> from <c>RollbackKit:Webhooks</c> (under whichever section
    /// <c>AddRollbackKit</c> bound), applies <paramref name="configure"/>, and validates at start.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Optional configuration in code, applied after binding.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddWebhookEndpoints(this IRollbackKitBuilder builder, Action<RollbackKitWebhookOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddAdapterOptions(WebhooksSubsection, configure, static path => new WebhookOptionsValidator(path));
        builder.Services.AddRedactedLogger<WebhookEndpoint>();
        return builder;
    }

    /// <summary>Binds <see cref="RollbackKitWebhookOptions"/> from <paramref name="section"/> and validates at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Ingress:Webhooks")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddWebhookEndpoints(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddAdapterOptions(WebhooksSubsection, section, static path => new WebhookOptionsValidator(path));
        builder.Services.AddRedactedLogger<WebhookEndpoint>();
        return builder;
    }

    /// <summary>
    /// Adds the <c>policy-breach</c> webhook: a signed <c>policy.breach</c> event naming a target becomes a policy-breach
    /// rollback request. Options are bound from <c>RollbackKit:PolicyBreach</c> (under whichever section
    /// <c>AddRollbackKit</c> bound), then <paramref name="configure"/>, and validated at start.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="configure">Optional configuration in code, applied after binding.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPolicyBreachWebhook(this IRollbackKitBuilder builder, Action<PolicyBreachOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddAdapterOptions(PolicyBreachSubsection, configure, static path => new PolicyBreachOptionsValidator(path));
        AddPolicyBreachServices(builder);
        return builder;
    }

    /// <summary>Adds the <c>policy-breach</c> webhook with options bound from <paramref name="section"/>; validated at start.</summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="section">The configuration section, for example <c>configuration.GetSection("Ingress:PolicyBreach")</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPolicyBreachWebhook(this IRollbackKitBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddAdapterOptions(PolicyBreachSubsection, section, static path => new PolicyBreachOptionsValidator(path));
        AddPolicyBreachServices(builder);
        return builder;
    }

    private static void AddPolicyBreachServices(IRollbackKitBuilder builder)
    {
        builder.AddWebhookEndpoints();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IInboundWebhookHandler, PolicyBreachWebhookHandler>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecretValueSource, PolicyBreachSecretValues>());
        builder.Services.AddRedactedLogger<PolicyBreachWebhookHandler>();
    }
}
