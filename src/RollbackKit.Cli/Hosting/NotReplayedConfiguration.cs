using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Playbooks;

namespace RollbackKit.Cli.Hosting;

/// <summary>
/// The parts of an application's RollbackKit section that a backtest reads but never runs: adapter settings (Slack,
/// Kubernetes, …) and playbook steps of adapter types (<c>kubernetes.undo</c>, <c>helm.rollback</c>). The CLI does not
/// load those adapters, so it accepts their subsections and step types as they are instead of failing strict binding;
/// everything the replay uses (targets, queries, baselines, triggers, workflow admission, Prometheus) is still
/// validated and named by key path.
/// </summary>
internal static class NotReplayedConfiguration
{
    /// <summary>Subsections owned by adapter packages the CLI does not load.</summary>
    private static readonly string[] AdapterSubsections =
        ["Alertmanager", "Email", "Helm", "Kubernetes", "PagerDuty", "PolicyBreach", "Slack", "Webhooks"];

    public static void Register(IRollbackKitBuilder builder, IConfigurationSection section)
    {
        foreach (var name in AdapterSubsections)
        {
            if (section.GetSection(name).Exists())
            {
                builder.BindOptionsSection<AdapterSettings>(name);
            }
        }

        var stepTypes = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        CollectStepTypes(section, stepTypes);
        using (var probe = builder.Services.BuildServiceProvider())
        {
            foreach (var factory in probe.GetServices<IPlaybookStepFactory>())
            {
                stepTypes.Remove(factory.Type);
            }
        }

        foreach (var type in stepTypes)
        {
            builder.Services.AddSingleton<IPlaybookStepFactory>(new NotRunStepFactory(type));
        }
    }

    /// <summary>Every <c>…:Steps:n:Type</c> value under <paramref name="section"/>.</summary>
    private static void CollectStepTypes(IConfiguration section, SortedSet<string> types)
    {
        foreach (var child in section.GetChildren())
        {
            if (string.Equals(child.Key, "Steps", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var step in child.GetChildren())
                {
                    if (step["Type"] is { Length: > 0 } type)
                    {
                        types.Add(type);
                    }
                }
            }

            CollectStepTypes(child, types);
        }
    }

    /// <summary>Stands for an adapter's settings: bound by nobody, so its keys are neither checked nor reported.</summary>
    private sealed class AdapterSettings
    {
    }

    /// <summary>Accepts a step type of an adapter the CLI does not load; a backtest never runs a playbook.</summary>
    private sealed class NotRunStepFactory(string type) : IPlaybookStepFactory, IPlaybookStep
    {
        public string Type { get; } = type;

        public string Name => Type;

        public IPlaybookStep Create(PlaybookStepDefinition definition) => this;

        public ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken) =>
            throw new NotSupportedException($"'{Type}' steps are not run by rollbackkit backtest.");
    }
}
