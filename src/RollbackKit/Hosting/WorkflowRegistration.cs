using RollbackKit.Verification;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Groups;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Redaction;
using RollbackKit.Telemetry;
using RollbackKit.Workflow;

namespace RollbackKit.Hosting;

/// <summary>
/// Registers the decide/act half: dispatcher (admission, deduplication, kill switch), approval gate, workflow runner and its
/// stages, journal, notifiers and built-in steps. Every component is built here from its own options; nothing resolves services
/// at run time.
/// </summary>
internal static class WorkflowRegistration
{
    public static void AddWorkflowServices(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRollbackLock, InProcessRollbackLock>();
        services.TryAddSingleton<IApprovalGate>(static sp => new InMemoryApprovalGate(sp.GetRequiredService<TimeProvider>()));

        // Journal
        services.TryAddSingleton<IRollbackJournal>(static sp => new FileRollbackJournal(
            Options<JournalOptions>(sp).Value.Path,
            Logger<FileRollbackJournal>(sp),
            new JournalQuarantine(Logger<FileRollbackJournal>(sp), sp.GetRequiredService<RollbackKitMetrics>())));
        services.TryAddSingleton<IRollbackHistory>(static sp => new RollbackHistory(sp.GetRequiredService<IRollbackJournal>()));
        services.TryAddSingleton(static sp => new JournalRecorder(RedactionRegistration.Journal(sp), sp.GetRequiredService<TimeProvider>()));

        // Notifications
        services.TryAddSingleton<INotificationStateStore>(static sp => new JournalNotificationStateStore(sp.GetRequiredService<IRollbackJournal>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static sp => new NotificationFanOut(
            sp.GetServices<INotifier>(),
            Options<NotificationOptions>(sp),
            sp.GetRequiredService<TimeProvider>(),
            Logger<NotificationFanOut>(sp),
            sp.GetRequiredService<RollbackKitMetrics>(),
            sp.GetRequiredService<SecretRedactor>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotifier, LoggingNotifier>(static sp => new LoggingNotifier(Logger<LoggingNotifier>(sp))));

        // Playbooks
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, HttpCheckStepFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, CommandStepFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, DelayStepFactory>());
        services.TryAddSingleton(static sp => new PlaybookBuilder(sp.GetServices<IPlaybookStepFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static sp => new PlaybookCatalog(sp.GetRequiredService<PlaybookBuilder>(), Options<PlaybookOptions>(sp)));
        services.TryAddSingleton<IStepContextFactory>(static sp => new ServiceProviderStepContextFactory(sp, sp.GetRequiredService<TimeProvider>()));

        // Approval
        services.TryAddSingleton(static sp => new SeverityGate(
            sp.GetRequiredService<IApprovalGate>(),
            Options<ApprovalOptions>(sp),
            sp.GetRequiredService<RollbackKitMetrics>(),
            sp.GetRequiredService<TimeProvider>()));

        // Workflow
        services.TryAddSingleton(static sp =>
        {
            var registry = new RollbackRegistry();
            sp.GetRequiredService<RollbackKitMetrics>().ObserveRollbacks(registry);
            return registry;
        });
        services.TryAddSingleton(static sp => new RollbackRecorder(
            sp.GetRequiredService<JournalRecorder>(),
            sp.GetRequiredService<NotificationFanOut>(),
            Options<WorkflowOptions>(sp),
            Logger<RollbackRecorder>(sp)));
        services.TryAddSingleton(static sp => new CompletionStage(
            sp.GetRequiredService<RollbackRecorder>(),
            Options<WorkflowOptions>(sp),
            sp.GetRequiredService<RollbackKitMetrics>(),
            Logger<CompletionStage>(sp),
            sp.GetRequiredService<SecretRedactor>()));
        services.TryAddSingleton(static sp => new ApprovalStage(
            sp.GetRequiredService<SeverityGate>(),
            sp.GetRequiredService<RollbackRecorder>(),
            sp.GetRequiredService<CompletionStage>(),
            sp.GetRequiredService<RollbackKitMetrics>()));
        services.TryAddSingleton(static sp => new PlaybookStage(
            sp.GetRequiredService<PlaybookCatalog>(),
            sp.GetRequiredService<IStepContextFactory>(),
            sp.GetRequiredService<RollbackRecorder>(),
            sp.GetRequiredService<RollbackKitMetrics>(),
            sp.GetRequiredService<SeverityGate>(),
            Logger<PlaybookStage>(sp)));
        services.TryAddSingleton(static sp => new VerificationStage(
            Options<WorkflowOptions>(sp),
            sp.GetRequiredService<RollbackRecorder>(),
            sp.GetService<ITargetHealthProbe>()));
        services.TryAddSingleton(static sp => new GroupCatalog(Options<RollbackKitOptions>(sp).Value.Groups, sp.GetRequiredService<IRollbackTargetCatalog>()));
        services.TryAddSingleton(static sp => new GroupStage(
            sp.GetRequiredService<GroupCatalog>(),
            sp.GetRequiredService<PlaybookCatalog>(),
            sp.GetRequiredService<PlaybookStage>(),
            sp.GetRequiredService<VerificationStage>(),
            sp.GetRequiredService<RollbackRecorder>(),
            sp.GetRequiredService<RollbackKitMetrics>(),
            Logger<GroupStage>(sp)));
        services.TryAddSingleton(static sp => new RollbackRunner(
            sp.GetRequiredService<RollbackRegistry>(),
            sp.GetRequiredService<ApprovalStage>(),
            sp.GetRequiredService<PlaybookStage>(),
            sp.GetRequiredService<VerificationStage>(),
            sp.GetRequiredService<CompletionStage>(),
            sp.GetRequiredService<RollbackRecorder>(),
            Logger<RollbackRunner>(sp))
        {
            Groups = sp.GetRequiredService<GroupStage>(),
        });

        // Dispatch
        services.TryAddSingleton(static sp => new KillSwitch(Options<DispatchOptions>(sp), Logger<KillSwitch>(sp)));
        services.TryAddSingleton(static sp => new AdmissionPolicy(Options<DispatchOptions>(sp)));
        services.TryAddSingleton(static sp => new DeduplicationCache(Options<DispatchOptions>(sp), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static sp => new RollbackDispatcher(
            sp.GetRequiredService<IRollbackTargetCatalog>(),
            sp.GetRequiredService<AdmissionPolicy>(),
            sp.GetRequiredService<KillSwitch>(),
            sp.GetRequiredService<DeduplicationCache>(),
            sp.GetRequiredService<RollbackRunner>(),
            sp.GetRequiredService<IRollbackLock>(),
            Logger<RollbackDispatcher>(sp)));
        services.TryAddSingleton<IRollbackDispatcher>(static sp => sp.GetRequiredService<RollbackDispatcher>());
        services.TryAddSingleton<IRollbackController>(static sp => sp.GetRequiredService<RollbackDispatcher>());
        services.TryAddSingleton<Operations.IOperatorConsole>(static sp => new Operations.OperatorConsole(
            sp.GetRequiredService<RollbackDispatcher>(),
            sp.GetRequiredService<IRollbackTargetCatalog>().Targets,
            sp.GetRequiredService<PlaybookCatalog>(),
            sp.GetService<Monitoring.IMonitorExplainer>(),
            sp.GetRequiredService<IApprovalGate>(),
            Logger<Operations.OperatorConsole>(sp)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RollbackWorkflowHostedService>(static sp => new RollbackWorkflowHostedService(
            sp.GetRequiredService<RollbackDispatcher>(),
            Options<WorkflowOptions>(sp),
            sp.GetRequiredService<TimeProvider>(),
            Logger<RollbackWorkflowHostedService>(sp),
            (sp.GetRequiredService<IRollbackJournal>() as FileRollbackJournal)?.Quarantine,
            sp.GetRequiredService<NotificationFanOut>())));
    }

    private static IOptions<T> Options<T>(IServiceProvider services)
        where T : class => services.GetRequiredService<IOptions<T>>();

    private static ILogger<T> Logger<T>(IServiceProvider services) => RedactionRegistration.Logger<T>(services);
}
