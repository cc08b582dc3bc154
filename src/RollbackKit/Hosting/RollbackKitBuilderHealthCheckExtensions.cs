using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RollbackKit;
using RollbackKit.Health;
using RollbackKit.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds RollbackKit's health checks to the host's <c>Microsoft.Extensions.Diagnostics.HealthChecks</c>.</summary>
public static class RollbackKitBuilderHealthCheckExtensions
{
    /// <summary>
    /// Registers the health checks, each tagged <c>rollbackkit</c> (names in <see cref="RollbackKitHealthChecks"/>):
    /// <c>rollbackkit-monitor</c> (also <c>live</c> and <c>ready</c>): the monitor ticked within
    /// <see cref="RollbackKitHealthCheckOptions.MonitorLateAfterIntervals"/> × its interval;
    /// <c>rollbackkit-source:&lt;name&gt;</c> per registered metric source: its queries answered in the last tick;
    /// <c>rollbackkit-journal</c> (also <c>ready</c>): the journal's directory is writable;
    /// <c>rollbackkit-leadership</c>, when a leadership (for example a Kubernetes Lease) is registered: whether this replica
    /// leads. Map them with <c>app.MapHealthChecks("/healthz", new() { Predicate = r =&gt; r.Tags.Contains("rollbackkit") })</c>.
    /// Safe to call more than once (the first call's settings win).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the settings; optional.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddHealthChecks(this IRollbackKitBuilder builder, Action<RollbackKitHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(static d => d.ServiceType == typeof(RollbackKitHealthChecksMarker)))
        {
            return builder;
        }

        services.AddSingleton<RollbackKitHealthChecksMarker>();
        services.AddHealthChecks();
        var options = services.AddOptions<RollbackKitHealthCheckOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RollbackKitHealthCheckOptions>, RollbackKitHealthCheckOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HealthCheckServiceOptions>, RollbackKitHealthCheckRegistrations>());
        return builder;
    }
}
