using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Workflow;

namespace RollbackKit.Internal;

/// <summary>Registers the rollback workflow: dispatcher, lock, approval gate, journal, notifiers, built-in steps.</summary>
internal static class WorkflowRegistration
{
    public static void AddWorkflowServices(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRollbackLock, InProcessRollbackLock>();
        services.TryAddSingleton<IApprovalGate>(sp => new InMemoryApprovalGate(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IRollbackJournal>(sp => new FileRollbackJournal(
            sp.GetRequiredService<IOptions<RollbackKitOptions>>().Value.Workflow.JournalPath,
            sp.GetService<ILogger<FileRollbackJournal>>() ?? NullLogger<FileRollbackJournal>.Instance));
        services.TryAddSingleton<IRollbackHistory>(sp => new RollbackHistory(sp.GetRequiredService<IRollbackJournal>()));
        services.TryAddSingleton(sp => new NotificationFanOut(
            sp.GetServices<INotifier>(),
            sp.GetRequiredService<IOptions<RollbackKitOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<NotificationFanOut>>() ?? NullLogger<NotificationFanOut>.Instance));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotifier, LoggingNotifier>(
            sp => new LoggingNotifier(sp.GetService<ILogger<LoggingNotifier>>() ?? NullLogger<LoggingNotifier>.Instance)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, HttpCheckStepFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, CommandStepFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, DelayStepFactory>());
        services.TryAddSingleton(sp => new PlaybookBuilder(sp.GetServices<IPlaybookStepFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new WorkflowMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new RollbackDispatcher(
            sp.GetRequiredService<IRollbackTargetCatalog>(),
            sp.GetRequiredService<IOptions<RollbackKitOptions>>(),
            sp.GetRequiredService<IRollbackJournal>(),
            sp.GetRequiredService<IRollbackLock>(),
            sp.GetRequiredService<IApprovalGate>(),
            sp.GetRequiredService<NotificationFanOut>(),
            sp.GetRequiredService<PlaybookBuilder>(),
            sp,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<WorkflowMetrics>(),
            sp.GetService<ILogger<RollbackDispatcher>>() ?? NullLogger<RollbackDispatcher>.Instance));
        services.TryAddSingleton<IRollbackDispatcher>(sp => sp.GetRequiredService<RollbackDispatcher>());
        services.TryAddSingleton<IRollbackController>(sp => sp.GetRequiredService<RollbackDispatcher>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RollbackWorkflowHostedService>(sp => new RollbackWorkflowHostedService(
            sp.GetRequiredService<RollbackDispatcher>(),
            sp.GetRequiredService<IOptions<RollbackKitOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<RollbackWorkflowHostedService>>() ?? NullLogger<RollbackWorkflowHostedService>.Instance)));
    }
}
