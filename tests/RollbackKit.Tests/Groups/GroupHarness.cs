using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Groups;
using RollbackKit.Journal;
using RollbackKit.Playbooks;
using RollbackKit.Tests.Workflow;
using RollbackKit.Verification;

namespace RollbackKit.Tests.Groups;

/// <summary>
/// A workflow harness with three targets (<c>db</c>, <c>app</c>, <c>web</c>, in deploy order) in one group <c>stack</c>, a recording
/// step (each run's target, in order) and a health probe that records which targets it checked.
/// </summary>
internal static class GroupHarness
{
    public const string GroupId = "stack";

    public static readonly string[] Members = ["db", "app", "web"];

    public static WorkflowHarness Create(
        RollbackGroupOrder? order = RollbackGroupOrder.Reverse,
        Action<RollbackKitOptions>? configure = null,
        string? journalPath = null,
        RecordingProbe? probe = null,
        List<string>? sequence = null)
    {
        return WorkflowHarness.Create(
            o =>
            {
                o.Targets.Add(new TargetDefinition { Id = "db", Labels = new() { ["name"] = "db" } });
                o.Groups.Add(new RollbackGroupDefinition { Id = GroupId, Targets = [.. Members], Order = order, Sequence = sequence ?? [] });
                configure?.Invoke(o);
            },
            s =>
            {
                if (journalPath is not null)
                {
                    s.AddSingleton<IRollbackJournal>(new FileRollbackJournal(journalPath, NullLogger<FileRollbackJournal>.Instance));
                }

                if (probe is not null)
                {
                    s.AddSingleton<ITargetHealthProbe>(probe);
                }
            });
    }

    /// <summary>Makes the harness's step record the target of every run, in the order the runs start.</summary>
    public static ConcurrentQueue<string> Record(WorkflowHarness h, Func<PlaybookStepContext, CancellationToken, ValueTask<StepResult>>? then = null)
    {
        var runs = new ConcurrentQueue<string>();
        h.Step = (ctx, ct) =>
        {
            runs.Enqueue(ctx.Target.Id);
            return then?.Invoke(ctx, ct) ?? ValueTask.FromResult(StepResult.Success("ok"));
        };
        return runs;
    }
}

/// <summary>A health probe that records the targets it checks and reports them healthy unless listed in <see cref="Unhealthy"/>.</summary>
internal sealed class RecordingProbe : ITargetHealthProbe
{
    public ConcurrentQueue<string> Probed { get; } = new();

    public HashSet<string> Unhealthy { get; } = [];

    public ValueTask<TargetHealth> ProbeAsync(RollbackTarget target, CancellationToken cancellationToken)
    {
        Probed.Enqueue(target.Id);
        var healthy = !Unhealthy.Contains(target.Id);
        return ValueTask.FromResult(new TargetHealth(healthy, healthy ? $"{target.Id} healthy" : $"{target.Id} unhealthy", []));
    }
}
