using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Quickstart;
using RollbackKit.Workflow;

// A canary of shop/checkout regresses after a few seconds. RollbackKit measures it every second, the triggers fire,
// the P1 acknowledgement times out (shortened to 5 s), the rollback playbook runs, verification confirms health,
// and the audit record and evidence bundle are written. Everything is simulated: no servers are needed.
var regressAfter = TimeSpan.FromSeconds(args.Length > 0 && double.TryParse(args[0], CultureInfo.InvariantCulture, out var s) ? s : 5);

// The content root is the current directory, so quickstart-output/ (journal and evidence) lands where the command runs;
// the sample's own settings are read from beside the program, wherever it is started from.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false, reloadOnChange: false);
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

// Print what the monitor asks for and what the dispatcher answers: the trigger, its measured values, started/joined/refused.
var dispatcherRegistration = builder.Services.Last(d => d.ServiceType == typeof(IRollbackDispatcher));
builder.Services.Remove(dispatcherRegistration);
builder.Services.AddSingleton(sp => new ReportingDispatcher((IRollbackDispatcher)dispatcherRegistration.ImplementationFactory!(sp), console));
builder.Services.AddSingleton<IRollbackDispatcher>(sp => sp.GetRequiredService<ReportingDispatcher>());

using var host = builder.Build();
var options = host.Services.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
var targetId = options.Targets[0].Id;
Console.WriteLine($"RollbackKit quickstart: {targetId} {deployment.Version} canary regresses after {regressAfter.TotalSeconds:0} s; " +
    $"{options.Triggers.Count} triggers evaluated every {options.EvaluationInterval.TotalSeconds:0} s.");
foreach (var trigger in options.Triggers)
{
    Console.WriteLine($"  trigger {trigger.Name,-24} {trigger.Condition,-48} for {trigger.For.TotalSeconds,2:0} s  {trigger.Severity}");
}

Console.WriteLine();
await host.StartAsync();

var dispatcher = host.Services.GetRequiredService<ReportingDispatcher>();
var controller = host.Services.GetRequiredService<IRollbackController>();
DispatchResult? decision = null;
RollbackStatus? status = null;
try
{
    decision = await dispatcher.Decided.WaitAsync(TimeSpan.FromSeconds(50));
    if (decision is { Status: DispatchStatus.Started, RollbackId: { } rollbackId })
    {
        // The final status: written after the audit record and the evidence bundle.
        status = await controller.WaitForCompletionAsync(rollbackId).WaitAsync(TimeSpan.FromSeconds(60));
    }
}
catch (TimeoutException)
{
}

await Task.Delay(TimeSpan.FromMilliseconds(300)); // let the last notifications print
await host.StopAsync();

Console.WriteLine();
var fired = dispatcher.Fired;
Console.WriteLine(fired.Count == 0 ? "Fired: nothing." : $"Fired ({fired.Count} of {options.Triggers.Count} triggers):");
foreach (var (request, result) in fired)
{
    Console.WriteLine($"  {ReportingDispatcher.Describe(request)} -> {ReportingDispatcher.Describe(result)}");
}

var journalPath = Path.GetFullPath(options.Workflow.JournalPath);
if (status is null)
{
    Console.WriteLine(decision switch
    {
        null => "No rollback happened within 50 s: no trigger fired.",
        { Status: DispatchStatus.Started } d => $"The rollback {d.RollbackId} did not finish within 60 s.",
        { } d => $"No rollback happened: {d.Status.ToString().ToLowerInvariant()}: {d.Message}",
    });
    if (decision is { Status: DispatchStatus.Refused })
    {
        Console.WriteLine($"The journal remembers earlier runs: wait for the cooldown ({options.Workflow.Cooldown.TotalMinutes:0} min), or delete {journalPath} to start afresh.");
    }

    return 1;
}

var history = host.Services.GetRequiredService<IRollbackHistory>();
var audits = await history.GetRollbacksAsync(targetId);
var audit = audits.LastOrDefault(a => a.RollbackId == status.RollbackId);
Console.WriteLine($"Outcome: {status.State} — {status.Message}");
Console.WriteLine($"Deployment now runs {deployment.Version}, canary replicas {deployment.CanaryReplicas}.");
if (audit is not null)
{
    Console.WriteLine($"Rolled back for: {audit.Trigger.Type} '{audit.Trigger.Reason}'");
    Console.WriteLine($"Measured: actual {audit.Trigger.ActualValue?.ToString("0.###", CultureInfo.InvariantCulture)}, threshold {audit.Trigger.Threshold?.ToString("0.###", CultureInfo.InvariantCulture)}, detected at {audit.Trigger.DetectedAt:HH:mm:ss}");
    Console.WriteLine($"Execution: {audit.Execution.Duration.TotalSeconds:0.0} s (budget {audit.Execution.Budget.TotalSeconds:0} s, {(audit.Execution.WithinBudget ? "within" : "OVER")}), requested by {audit.RequestedBy}, approved by {audit.ApprovedBy ?? "nobody (acknowledgement timed out)"}");
    foreach (var step in audit.Execution.Steps)
    {
        Console.WriteLine($"  step {step.Name,-26} {(step.Succeeded ? "ok" : "failed"),-6} {step.Duration.TotalMilliseconds,6:0} ms (expected {step.ExpectedDuration?.TotalMilliseconds ?? 0:0} ms)");
    }

    Console.WriteLine($"Verification: {(audit.Verification.Success ? "healthy" : "unhealthy")} — {audit.Verification.Summary}");
}

Console.WriteLine($"Audit record (journal): {journalPath}");
var evidence = status.EvidencePath is { } path && File.Exists(path) ? new FileInfo(path) : null;
Console.WriteLine(evidence is null
    ? $"Evidence bundle: MISSING ({status.EvidencePath ?? "no path recorded"})"
    : $"Evidence bundle: {evidence.FullName} ({evidence.Length:N0} bytes)");
return status.State == RollbackState.RolledBack && evidence is not null ? 0 : 1;
