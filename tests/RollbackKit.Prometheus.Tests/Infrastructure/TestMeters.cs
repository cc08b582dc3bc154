using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace RollbackKit.Prometheus.Tests.Infrastructure;

/// <summary>A process-wide <see cref="IMeterFactory"/> for tests that build instruments without a host.</summary>
internal static class TestMeters
{
    private static readonly ServiceProvider s_services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public static IMeterFactory Factory { get; } = s_services.GetRequiredService<IMeterFactory>();
}
