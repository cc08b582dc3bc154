using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Cli.Planning;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Workflow;
using Spectre.Console;

namespace RollbackKit.Cli.Drills;

/// <summary>Runs <c>rollbackkit drill</c>.</summary>
internal static class DrillAction
{
    public const string Reason = "drill";

    /// <summary>How long notifiers may at least keep delivering after the drill ended, so that the report shows every delivery.</summary>
    private static readonly TimeSpan MinimumDrain = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(DrillSettings settings, InvocationConfiguration invocation, CancellationToken cancellationToken)
    {
        var console = PlanConsole.Create(invocation.Output);
        var log = new NotificationLog();
        var requestedBy = "drill:" + UserName();
        DrillReport report;
        var host = ApplicationHost.Build(settings.ConfigFile, settings.Section, JournalUse.Configured, services =>
        {
            log.Decorate(services);

            // The report lists what every notifier sent: give them time to deliver the last events when the drill ends.
            services.PostConfigure<RollbackKitOptions>(static o => o.Workflow.NotifierDrainTimeout = TimeSpan.FromTicks(Math.Max(o.Workflow.NotifierDrainTimeout.Ticks, MinimumDrain.Ticks)));
        });
        await using (host.ConfigureAwait(false))
        {
            var problems = StartupChecks.Run(host);
            if (problems.Count > 0)
            {
                await invocation.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"configuration is invalid: {problems.Count} problem(s)")).ConfigureAwait(false);
                foreach (var problem in problems)
                {
                    await invocation.Error.WriteLineAsync(problem.AsMemory(), cancellationToken).ConfigureAwait(false);
                }

                return ExitCodes.InvalidInput;
            }

            var options = host.Services.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
            var target = options.Targets.FirstOrDefault(t => string.Equals(t.Id, settings.Target, StringComparison.Ordinal))
                ?? throw new CliException(ExitCodes.InvalidInput, $"--target: '{settings.Target}' is not a target of {host.Section.Path}:Targets (known: {string.Join(", ", options.Targets.Select(static t => t.Id))}).");
            var playbook = target.Playbook ?? options.Playbook;
            var time = host.Services.GetRequiredService<TimeProvider>();
            var controller = host.Services.GetRequiredService<IRollbackController>();
            var startedAt = time.GetUtcNow();
            console.MarkupLineInterpolated($"drill: rolling back [bold]{target.Id}[/] through {playbook.Steps.Count} step(s), budget {Durations.Format(playbook.Budget)}, requested by {requestedBy}");
            var progress = new DrillProgress(console, playbook.Steps.Count, time, startedAt);
            log.Observed = progress.OnEvent;

            var dispatch = await controller.RollbackAsync(target.Id, Reason, requestedBy, cancellationToken).ConfigureAwait(false);
            RollbackStatus? status = null;
            if (dispatch is { Status: DispatchStatus.Started or DispatchStatus.Joined, RollbackId: { } id })
            {
                status = await progress.WaitAsync(controller.WaitForCompletionAsync(id, cancellationToken)).ConfigureAwait(false);
            }

            IReadOnlyList<JournalEntry> entries = [];
            if (dispatch.RollbackId is { } rollbackId && status is not null)
            {
                var all = await host.Services.GetRequiredService<IRollbackJournal>().ReadAsync(target.Id, cancellationToken).ConfigureAwait(false);
                entries = [.. all.Where(e => string.Equals(e.RollbackId, rollbackId, StringComparison.Ordinal))];
            }

            var audit = entries.LastOrDefault(static e => e.Kind == JournalEntryKind.Completed)?.Audit;
            var (passed, verdict) = Judge(dispatch, status, audit);
            report = new DrillReport
            {
                TargetId = target.Id,
                RequestedBy = requestedBy,
                StartedAt = startedAt,
                FinishedAt = status?.CompletedAt ?? time.GetUtcNow(),
                RollbackId = status is null ? null : dispatch.RollbackId,
                State = status?.State,
                Passed = passed,
                Verdict = verdict,
                Phases = DrillPhases.From(entries, playbook, options.Workflow),
                Verification = audit?.Verification,
                JournalPath = options.Workflow.JournalPath,
                EvidencePath = status?.EvidencePath,
            };
            log.Observed = null;
        }

        // The services are disposed: every queued notification was delivered (or given up) before the report lists them.
        report = report with { Notifications = log.Records };
        var file = settings.ReportFile ?? new FileInfo(DefaultFileName(settings.Target, report.StartedAt));
        Directory.CreateDirectory(file.DirectoryName ?? ".");
        await File.WriteAllTextAsync(file.FullName, report.ToMarkdown(), new System.Text.UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        WriteSummary(console, report);
        console.MarkupLineInterpolated($"[grey]drill report written to {file.FullName}[/]");
        return report.Passed ? ExitCodes.Success : ExitCodes.ProblemsFound;
    }

    /// <summary>Passed when the target was rolled back and verified healthy, with the playbook within its budget.</summary>
    private static (bool Passed, string Verdict) Judge(DispatchResult dispatch, RollbackStatus? status, RollbackAuditRecord? audit)
    {
        if (status is null)
        {
            return (false, $"the rollback did not start: {dispatch.Status}{(dispatch.Message is { Length: > 0 } m ? ": " + m : string.Empty)}");
        }

        if (status.State != RollbackState.RolledBack)
        {
            return (false, $"the rollback ended {status.State}{(status.Message is { Length: > 0 } m ? ": " + m : string.Empty)}");
        }

        if (audit is null)
        {
            return (false, "rolled back, but its audit record is not in the journal");
        }

        if (!audit.Verification.Performed)
        {
            return (false, "rolled back, but not verified (verification is disabled or no health probe is registered)");
        }

        if (!audit.Verification.Success)
        {
            return (false, "rolled back, but verification found the target unhealthy");
        }

        if (!audit.Execution.WithinBudget)
        {
            return (false, $"rolled back and verified, but the playbook took {Durations.Format(audit.Execution.Duration)}, over its budget {Durations.Format(audit.Execution.Budget)}");
        }

        return (true, $"rolled back and verified; the playbook took {Durations.Format(audit.Execution.Duration)} of its budget {Durations.Format(audit.Execution.Budget)}");
    }

    private static void WriteSummary(IAnsiConsole console, DrillReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Drill")
            .AddColumn("Phase").AddColumn("Duration").AddColumn("Expected / budget").AddColumn("Result");
        foreach (var phase in report.Phases)
        {
            table.AddRow(
                new Text(phase.Name),
                new Text(phase.Duration is { } d ? Durations.Format(d) : "—"),
                new Text(phase.Expected),
                new Markup((phase.Passed ? "[green]ok[/] " : "[red]problem[/] ") + Markup.Escape(phase.Result)));
        }

        console.Write(table);
        console.MarkupLine((report.Passed ? "[green]drill passed[/]: " : "[red]drill failed[/]: ") + Markup.Escape(report.Verdict));
    }

    private static string DefaultFileName(string target, DateTimeOffset startedAt)
    {
        var safe = string.Concat(target.Select(static c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-'));
        return $"drill-{safe}-{startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.md";
    }

    private static string UserName()
    {
        var name = Environment.UserName;
        return string.IsNullOrWhiteSpace(name) ? "unknown" : name;
    }
}
