using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Internal;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Workflow;

namespace RollbackKit.Hosting;

/// <summary>
/// Gives each component its own options, derived from <see cref="RollbackKitOptions"/>: the configuration keys stay those users
/// know (<c>RollbackKit:Workflow:Cooldown</c>, …) and <c>AddRollbackKit(Action&lt;RollbackKitOptions&gt;)</c> keeps working, while
/// no component but this one sees the whole <see cref="RollbackKitOptions"/>.
/// </summary>
internal sealed class ComponentOptionsSetup(IOptions<RollbackKitOptions> root, RollbackKitSection? section = null) :
    IConfigureOptions<DispatchOptions>,
    IConfigureOptions<ApprovalOptions>,
    IConfigureOptions<WorkflowOptions>,
    IConfigureOptions<JournalOptions>,
    IConfigureOptions<NotificationOptions>,
    IConfigureOptions<PlaybookOptions>
{
    private string WorkflowPath => $"{section?.Path ?? RollbackKitOptions.SectionName}:Workflow";

    /// <summary>
    /// Registers the component options, their derivation and their validators. The whole <see cref="RollbackKitOptions"/> is
    /// validated at start; each component's options are validated when the component is built (at start too, when the hosted
    /// services are created). They are not validated on start themselves: deriving them from invalid root options would report
    /// the same failure once per component.
    /// </summary>
    public static void AddComponentOptions(IServiceCollection services)
    {
        Add<DispatchOptions, DispatchOptionsValidator>(services);
        Add<ApprovalOptions, ApprovalOptionsValidator>(services);
        Add<WorkflowOptions, WorkflowOptionsValidator>(services);
        Add<JournalOptions, JournalOptionsValidator>(services);
        Add<NotificationOptions, NotificationOptionsValidator>(services);
        services.AddOptions<PlaybookOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<PlaybookOptions>, ComponentOptionsSetup>());
    }

    private static void Add<TOptions, TValidator>(IServiceCollection services)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IConfigureOptions<TOptions>), typeof(ComponentOptionsSetup)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }

    public void Configure(DispatchOptions options)
    {
        var value = root.Value;
        var workflow = value.Workflow;
        options.AutoRollbackEnabled = workflow.AutoRollbackEnabled;
        options.MaxAttemptsPerTarget = workflow.MaxAttemptsPerTarget;
        options.AttemptWindow = workflow.AttemptWindow;
        options.Cooldown = workflow.Cooldown;
        options.MediumSeverity = workflow.MediumSeverity;
        options.DeduplicationWindow = workflow.DeduplicationWindow;
        options.PointOfNoReturnTargets.AddRange(workflow.PointOfNoReturnTargets);
        foreach (var target in value.Targets)
        {
            if (!string.IsNullOrWhiteSpace(target.Id))
            {
                options.TargetAutoRollback.TryAdd(target.Id, target.AutoRollback);
            }
        }

        options.ConfigurationPath = WorkflowPath;
    }

    public void Configure(ApprovalOptions options)
    {
        var workflow = root.Value.Workflow;
        options.AcknowledgementTimeout = workflow.AcknowledgementTimeout;
        options.ApprovalTimeout = workflow.ApprovalTimeout;
        options.ConfigurationPath = WorkflowPath;
    }

    public void Configure(WorkflowOptions options)
    {
        var workflow = root.Value.Workflow;
        options.ProgressInterval = workflow.ProgressInterval;
        options.VerificationEnabled = workflow.VerificationEnabled;
        options.VerificationWindow = workflow.VerificationWindow;
        options.VerificationInterval = workflow.VerificationInterval;
        options.EvidenceDirectory = workflow.EvidenceDirectory;
        options.EvidenceEnabled = workflow.EvidenceEnabled;
        options.UnfinishedWorkflows = workflow.UnfinishedWorkflows;
        options.UnfinishedScanInterval = workflow.UnfinishedScanInterval;
        options.ConfigurationPath = WorkflowPath;
    }

    public void Configure(JournalOptions options)
    {
        options.Path = root.Value.Workflow.JournalPath;
        options.ConfigurationPath = WorkflowPath;
    }

    public void Configure(NotificationOptions options)
    {
        var workflow = root.Value.Workflow;
        options.NotifierTimeout = workflow.NotifierTimeout;
        options.NotifierDrainTimeout = workflow.NotifierDrainTimeout;
        options.ConfigurationPath = WorkflowPath;
    }

    public void Configure(PlaybookOptions options)
    {
        var value = root.Value;
        options.DefaultPlaybook = value.Playbook;
        foreach (var target in value.Targets)
        {
            if (!string.IsNullOrWhiteSpace(target.Id) && target.Playbook is { } playbook)
            {
                options.TargetPlaybooks.TryAdd(target.Id, playbook);
            }
        }
    }
}
