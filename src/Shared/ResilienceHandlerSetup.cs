using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;

namespace RollbackKit.Internal;

/// <summary>
/// Common setup of the pipelines RollbackKit adds to its named HTTP clients with <c>AddResilienceHandler</c>.
/// </summary>
/// <remarks>
/// <para>
/// The pipeline waits on the system clock, not on the <see cref="TimeProvider"/> registered for the workflow. These
/// waits are network time: the per-attempt timeout bounds a real socket, the retry backoff spaces real requests, and
/// the handler's registry drains in-flight requests on dispose. Under a <c>FakeTimeProvider</c> that nobody advances
/// (the usual way to drive a rollback in a test), a wait on that clock never ends: a retry would hold its notification
/// and disposing the host would hang. The Prometheus client follows the same rule for its backoff.
/// </para>
/// <para>
/// Polly's own resilience events are logged at Debug only, because the packages log each retry themselves with their
/// own event ids. One source file compiled into each package.
/// </para>
/// </remarks>
internal static class ResilienceHandlerSetup
{
    public static void Apply(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context)
    {
        builder.TimeProvider = TimeProvider.System;
        var telemetry = context.ServiceProvider.GetService<IOptions<TelemetryOptions>>()?.Value ?? new TelemetryOptions();
        builder.ConfigureTelemetry(new TelemetryOptions(telemetry) { SeverityProvider = static _ => ResilienceEventSeverity.Debug });
    }
}
