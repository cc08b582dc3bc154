using Microsoft.Extensions.Logging;
using RollbackKit.Journal;
using RollbackKit.Playbooks;
using RollbackKit.Telemetry;
using RollbackKit.Workflow;

namespace RollbackKit.Groups;

/// <summary>
/// The playbook and verification phases of a coordinated group's rollback. Each member runs the workflow's own
/// <see cref="PlaybookStage"/> and <see cref="VerificationStage"/> as a member run that shares the group's rollback id and journals
/// under the member's id, so the journal holds one rollback with every member's steps and a restart resumes at the member and
/// step it was in. Members run one after the other in the group's order (a member that fails stops the ones after it), or all
/// at once for <see cref="RollbackGroupOrder.Parallel"/> (the others still finish); every member is verified, at the same time.
/// </summary>
internal sealed class GroupStage(GroupCatalog catalog, PlaybookCatalog playbooks, PlaybookStage playbook, VerificationStage verification, RollbackRecorder recorder, RollbackKitMetrics metrics, ILogger<GroupStage> logger)
{
    /// <summary>The configured groups.</summary>
    public GroupCatalog Catalog { get; } = catalog;

    /// <summary>Makes <paramref name="run"/> a group's rollback when its target is a group (with what the journal says its members
    /// already did, for a resumed one). Does nothing for a target's own rollback.</summary>
    public void Attach(WorkflowRun run, UnfinishedRollback? unfinished)
    {
        if (run.Group is not null || run.IsGroupMember || !Catalog.TryGet(run.Target.Id, out var plan))
        {
            return;
        }

        var requestedFor = plan.Member(run.Request.Target.Id)?.Id;
        var group = new GroupRunState(plan, requestedFor);
        if (unfinished is not null)
        {
            group.Load(unfinished.Members);
        }

        run.Group = group;
    }

    /// <summary>Runs the members' playbooks; returns whether all succeeded and, when not, why and whether a human must act.</summary>
    public async ValueTask<(bool Succeeded, string Message, bool NeedsAttention)> RunPlaybooksAsync(WorkflowRun run, CancellationToken cancellationToken)
    {
        var group = run.Group!;
        var plan = group.Plan;
        var time = recorder.Time;
        var order = string.Join(", ", plan.Sequence.Select(static m => m.Id));
        await recorder.TransitionAsync(run, RollbackState.RollingBack, $"group {plan.Id}, {plan.Order}: {order}", cancellationToken).ConfigureAwait(false);
        run.PlaybookStartedAt = time.GetUtcNow();
        run.PlaybookStartTimestamp = time.GetTimestamp();
        metrics.RollbackStarted(run.Request);
        Log.GroupRollingBack(logger, run.RollbackId, plan.Id, plan.Order, order);

        var failures = new List<(MemberState Member, string Message, bool NeedsAttention)>();
        if (plan.Parallel)
        {
            var tasks = new List<Task<(bool, string, bool)>>();
            foreach (var member in group.Members)
            {
                tasks.Add(RunMemberAsync(run, member, cancellationToken).AsTask());
            }

            var results = await Task.WhenAll(tasks).ConfigureAwait(false);
            var i = 0;
            foreach (var member in group.Members)
            {
                var (succeeded, message, attention) = results[i++];
                if (!succeeded)
                {
                    failures.Add((member, message, attention));
                }
            }
        }
        else
        {
            foreach (var member in group.Members)
            {
                if (failures.Count > 0)
                {
                    member.Outcome = "NotStarted";
                    continue;
                }

                var (succeeded, message, attention) = await RunMemberAsync(run, member, cancellationToken).ConfigureAwait(false);
                if (!succeeded)
                {
                    failures.Add((member, message, attention));
                }
            }
        }

        run.PlaybookDuration = time.GetElapsedTime(run.PlaybookStartTimestamp);
        foreach (var member in group.Members)
        {
            run.Budget = plan.Parallel ? (member.Budget > run.Budget ? member.Budget : run.Budget) : run.Budget + member.Budget;
        }

        if (failures.Count == 0)
        {
            return (true, string.Empty, false);
        }

        var notStarted = group.Members.Where(static m => m.Outcome == "NotStarted").Select(static m => m.Target.Id).ToArray();
        var failed = string.Join("; ", failures.Select(static f => $"{f.Member.Target.Id}: {f.Message}"));
        var summary = $"Rollback of group {plan.Id} failed at {string.Join(", ", failures.Select(static f => f.Member.Target.Id))} ({failed})"
            + (notStarted.Length == 0 ? string.Empty : $"; not rolled back: {string.Join(", ", notStarted)}");
        return (false, summary, failures.TrueForAll(static f => f.NeedsAttention));
    }

    /// <summary>Verifies every member at the same time; returns whether all are healthy.</summary>
    public async ValueTask<bool> VerifyAsync(WorkflowRun run, CancellationToken cancellationToken)
    {
        var group = run.Group!;
        await recorder.TransitionAsync(run, RollbackState.Verifying, $"verifying {group.Plan.Sequence.Count} members", cancellationToken).ConfigureAwait(false);
        var members = group.Members.ToArray();
        var tasks = new Task<bool>[members.Length];
        for (var i = 0; i < members.Length; i++)
        {
            tasks[i] = VerifyMemberAsync(run, members[i], cancellationToken).AsTask();
        }

        var healthy = await Task.WhenAll(tasks).ConfigureAwait(false);
        var records = members.Select(static m => m.Verification!).ToArray();
        run.Verification = new VerificationRecord
        {
            Performed = Array.Exists(records, static r => r.Performed),
            ChecksTotal = records.Sum(static r => r.ChecksTotal),
            ChecksPassed = records.Sum(static r => r.ChecksPassed),
            Success = Array.TrueForAll(healthy, static h => h),
            Summary = string.Join("; ", members.Select(static m => $"{m.Target.Id}: {m.Verification!.Summary}")),
        };
        return run.Verification.Success;
    }

    private async ValueTask<(bool, string, bool)> RunMemberAsync(WorkflowRun run, MemberState member, CancellationToken cancellationToken)
    {
        if (IsDone(member))
        {
            // A resumed rollback: an earlier process finished this member.
            member.Outcome = "RolledBack";
            member.Message = "rolled back before the restart";
            Log.GroupMemberDone(logger, run.RollbackId, member.Target.Id);
            return (true, string.Empty, false);
        }

        var memberRun = MemberRun(run, member, RollbackState.RollbackPending);
        memberRun.CompletedSteps.UnionWith(member.CompletedSteps);
        foreach (var (index, step) in member.InterruptedSteps)
        {
            memberRun.InterruptedSteps[index] = step;
        }

        member.Outcome = "RollingBack";
        try
        {
            var (succeeded, message, attention) = await playbook.RunAsync(memberRun, cancellationToken).ConfigureAwait(false);
            member.Outcome = succeeded ? "RolledBack" : attention ? "NeedsAttention" : "Failed";
            member.Message = succeeded ? null : message;
            if (!succeeded)
            {
                Log.GroupMemberFailed(logger, run.RollbackId, run.Target.Id, member.Target.Id, message);
            }

            return (succeeded, message, attention);
        }
        finally
        {
            member.CompletedSteps.UnionWith(memberRun.CompletedSteps);
            member.InterruptedSteps.Clear();
            member.Budget = memberRun.Budget;
            Collect(run, member, memberRun);
        }
    }

    private async ValueTask<bool> VerifyMemberAsync(WorkflowRun run, MemberState member, CancellationToken cancellationToken)
    {
        var memberRun = MemberRun(run, member, RollbackState.RollingBack);
        try
        {
            var healthy = await verification.VerifyAsync(memberRun, cancellationToken).ConfigureAwait(false);
            if (!healthy)
            {
                member.Outcome = "Unhealthy";
            }

            return healthy;
        }
        finally
        {
            member.Verification = memberRun.Verification ?? new VerificationRecord { Performed = false, Success = false, Summary = "not reached" };
            Collect(run, member, memberRun, steps: false);
        }
    }

    /// <summary>Whether every step of the member's playbook is journaled as completed (only on resume).</summary>
    private bool IsDone(MemberState member)
    {
        if (member.CompletedSteps.Count == 0)
        {
            return false;
        }

        try
        {
            var steps = playbooks.Get(member.Target.Id).Steps;
            return steps.Count > 0 && steps.All(s => member.CompletedSteps.Contains(s.Index));
        }
        catch (PlaybookConfigurationException)
        {
            return false;
        }
    }

    /// <summary>A member's part of the group's rollback: the group's id, approval and resume flag, the member's target and request.</summary>
    private static WorkflowRun MemberRun(WorkflowRun run, MemberState member, RollbackState state) =>
        new(run.RollbackId, member.Target, ForMember(run.Request, member.Target), state, run.AcceptedAt, run.Resumed)
        {
            IsGroupMember = true,
            ApprovedBy = run.ApprovedBy,
            ApprovalComment = run.ApprovalComment,
            ParentContext = run.ParentContext,
        };

    /// <summary>The group's request as the member's steps see it: the same request, for the member's target.</summary>
    internal static RollbackRequest ForMember(RollbackRequest request, RollbackTarget member) => new()
    {
        Target = member,
        TriggerType = request.TriggerType,
        Severity = request.Severity,
        Reason = request.Reason,
        RequestedBy = request.RequestedBy,
        WorkflowId = request.WorkflowId,
        DeduplicationKey = request.DeduplicationKey,
        Details = request.Details,
        Evidence = request.Evidence,
        RequestedAt = request.RequestedAt,
        AlertOnly = request.AlertOnly,
        Force = request.Force,
    };

    /// <summary>Adds what a member run recorded (steps, evidence) to the member and to the group's run.</summary>
    private static void Collect(WorkflowRun run, MemberState member, WorkflowRun memberRun, bool steps = true)
    {
        if (steps)
        {
            var records = memberRun.StepsSnapshot();
            member.AddSteps(records);
            foreach (var record in records)
            {
                run.AddStep(record);
            }
        }

        var folder = "members/" + EvidenceCollector.SafeName(member.Target.Id) + "/";
        foreach (var (name, content) in memberRun.Evidence.Items)
        {
            run.Evidence.Add(folder + name, content);
        }
    }
}
