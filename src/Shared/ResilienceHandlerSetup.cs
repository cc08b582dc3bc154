using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;

namespace RollbackKit.Internal;

/// <summary>
/// Common setup of the pipelines RollbackKit adds to its named HTTP clients with <c>AddResilienceHandler</c>: the
/// pipeline waits on the <see cref="TimeProvider"/> registered in the container (so a <c>FakeTimeProvider</c> drives
/// retries and attempt timeouts in tests), and Polly's own resilience events are logged at Debug only, because the
/// packages log each retry themselves with their own event ids. One source file compiled into each package.
/// </summary>
internal static class ResilienceHandlerSetup
{
    public static void Apply(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context)
    {
        builder.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
        var telemetry = context.ServiceProvider.GetService<IOptions<TelemetryOptions>>()?.Value ?? new TelemetryOptions();
        builder.ConfigureTelemetry(new TelemetryOptions(telemetry) { SeverityProvider = static _ => ResilienceEventSeverity.Debug });
    }
}
