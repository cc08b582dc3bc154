using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit;
using RollbackKit.Journal;
using RollbackKit.Metrics;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Quickstart;
using RollbackKit.Workflow;

// A canary of shop/checkout regresses after a few seconds. RollbackKit measures it every second, the triggers fire,
// the P1 acknowledgement times out (shortened to 5 s), the rollback playbook runs, verification confirms health,
// and the audit record and evidence bundle are written. Everything is simulated: no servers are needed.
var regressAfter = TimeSpan.FromSeconds(args.Length > 0 && double.TryParse(args[0], CultureInfo.InvariantCulture, out var s) ? s : 5);

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var time = TimeProvider.System;
var console = new Console2(time);
var deployment = new SimulatedDeployment(time, regressAfter);
builder.Services.AddSingleton(console);
builder.Services.AddSingleton(deployment);
builder.Services.AddSingleton<IMetricSource, SimulatedMetricSource>();

builder.Services.AddRollbackKit()
    .AddNotifier<ConsoleNotifier>()
    .AddPlaybookStep("simulated.drain-traffic", async (ctx, ct) =>
    {
        await Task.Delay(TimeSpan.FromMilliseconds(400), ctx.TimeProvider, ct);
        deployment.TrafficDrained = true;
        return StepResult.Success("100% of traffic on stable");
    })
    .AddPlaybookStep("simulated.rollout-undo", async (ctx, ct) =>
    {
        await Task.Delay(TimeSpan.FromMilliseconds(600), ctx.TimeProvider, ct);
        var from = deployment.Version;
        deployment.Version = "v1";
        ctx.Evidence.Add("deployment/rollout-history.txt", "REVISION  VERSION\n1         v1\n2         v2 (rolled back)\n3         v1\n");
        return StepResult.Success($"rolled back {from} -> v1");
    })
    .AddPlaybookStep("simulated.scale-canary", async (ctx, ct) =>
    {
        await Task.Delay(TimeSpan.FromMilliseconds(300), ctx.TimeProvider, ct);
        deployment.CanaryReplicas = 0;
        return StepResult.Success("canary replicas 2 -> 0");
    });

using var host = builder.Build();
var options = host.Services.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
Console.WriteLine($"RollbackKit quickstart: {options.Targets[0].Id} {deployment.Version} canary regresses after {regressAfter.TotalSeconds:0} s; " +
    $"{options.Triggers.Count} triggers evaluated every {options.EvaluationInterval.TotalSeconds:0} s.");
foreach (var trigger in options.Triggers)
{
    Console.WriteLine($"  trigger {trigger.Name,-24} {trigger.Condition,-48} for {trigger.For.TotalSeconds,2:0} s  {trigger.Severity}");
}

Console.WriteLine();
var startedAt = time.GetUtcNow();
await host.StartAsync();

var controller = host.Services.GetRequiredService<IRollbackController>();
var journal = host.Services.GetRequiredService<IRollbackJournal>();
var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(50);
RollbackStatus? status = null;
JournalEntry? refusal = null;
while (time.GetUtcNow() < deadline)
{
    status = controller.GetStatus(options.Targets[0].Id);
    if (status is { State: RollbackState.RolledBack or RollbackState.RollbackFailed or RollbackState.Rejected or RollbackState.NeedsAttention })
    {
        break;
    }

    // A request that did not start a rollback is journaled with its reason (for example the cooldown after the last run).
    if (status is null)
    {
        var entries = await journal.ReadAsync(options.Targets[0].Id);
        refusal = entries.LastOrDefault(e => e.Timestamp >= startedAt && e.Kind is JournalEntryKind.Refused or JournalEntryKind.Alert or JournalEntryKind.Duplicate);
        if (refusal is not null)
        {
            break;
        }
    }

    await Task.Delay(TimeSpan.FromMilliseconds(200));
}

await Task.Delay(TimeSpan.FromMilliseconds(300)); // let the last notifications print
await host.StopAsync();

Console.WriteLine();
if (status is null)
{
    Console.WriteLine(refusal is null
        ? "No rollback happened within 50 s: no trigger fired."
        : $"No rollback happened: {refusal.Message}");
    if (refusal is { Kind: JournalEntryKind.Refused })
    {
        Console.WriteLine($"The journal remembers earlier runs: wait for the cooldown ({options.Workflow.Cooldown.TotalMinutes:0} min), or delete {Path.GetFullPath(options.Workflow.JournalPath)} to start afresh.");
    }

    return 1;
}

var history = host.Services.GetRequiredService<IRollbackHistory>();
var audits = await history.GetRollbacksAsync(options.Targets[0].Id);
var audit = audits.Count > 0 ? audits[^1] : null;
Console.WriteLine($"Outcome: {status.State} — {status.Message}");
Console.WriteLine($"Deployment now runs {deployment.Version}, canary replicas {deployment.CanaryReplicas}.");
if (audit is not null)
{
    Console.WriteLine($"Trigger: {audit.Trigger.Type} '{audit.Trigger.Reason}'");
    Console.WriteLine($"Measured: actual {audit.Trigger.ActualValue?.ToString("0.###", CultureInfo.InvariantCulture)}, threshold {audit.Trigger.Threshold?.ToString("0.###", CultureInfo.InvariantCulture)}, detected at {audit.Trigger.DetectedAt:HH:mm:ss}");
    Console.WriteLine($"Execution: {audit.Execution.Duration.TotalSeconds:0.0} s (budget {audit.Execution.Budget.TotalSeconds:0} s, {(audit.Execution.WithinBudget ? "within" : "OVER")}), requested by {audit.RequestedBy}, approved by {audit.ApprovedBy ?? "nobody (acknowledgement timed out)"}");
    foreach (var step in audit.Execution.Steps)
    {
        Console.WriteLine($"  step {step.Name,-26} {(step.Succeeded ? "ok" : "failed"),-6} {step.Duration.TotalMilliseconds,6:0} ms (expected {step.ExpectedDuration?.TotalMilliseconds ?? 0:0} ms)");
    }

    Console.WriteLine($"Verification: {(audit.Verification.Success ? "healthy" : "unhealthy")} — {audit.Verification.Summary}");
}

Console.WriteLine($"Audit record (journal): {Path.GetFullPath(options.Workflow.JournalPath)}");
Console.WriteLine($"Evidence bundle: {status.EvidencePath ?? "(none)"}");
return status.State == RollbackState.RolledBack ? 0 : 1;
