using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Hosting;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;
using RollbackKit.Workflow;
using RollbackKit.Verification;

namespace RollbackKit.Tests.Workflow;

/// <summary>A dispatcher wired through AddRollbackKit with a fake clock, an in-memory journal (unless given) and a recording notifier.</summary>
internal sealed class WorkflowHarness : IAsyncDisposable
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    private WorkflowHarness(ServiceProvider services, FakeTimeProvider time, RecordingNotifier notifier)
    {
        Services = services;
        Time = time;
        Notifier = notifier;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public RecordingNotifier Notifier { get; }

    public IRollbackDispatcher Dispatcher => Services.GetRequiredService<IRollbackDispatcher>();

    public IRollbackController Controller => Services.GetRequiredService<IRollbackController>();

    public IApprovalGate Gate => Services.GetRequiredService<IApprovalGate>();

    public IRollbackJournal Journal => Services.GetRequiredService<IRollbackJournal>();

    public IRollbackHistory History => Services.GetRequiredService<IRollbackHistory>();

    /// <summary>Steps registered as type <c>test</c> run this; default: succeed.</summary>
    public Func<PlaybookStepContext, CancellationToken, ValueTask<StepResult>> Step { get; set; } = (_, _) => ValueTask.FromResult(StepResult.Success("ok"));

    public int StepRuns => Volatile.Read(ref _stepRuns);

    private int _stepRuns;

    public static WorkflowHarness Create(
        Action<RollbackKitOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        FakeTimeProvider? time = null,
        Action<IServiceCollection>? after = null)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var notifier = new RecordingNotifier();
        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        collection.AddLogging();
        collection.AddSingleton<TimeProvider>(time);
        collection.AddSingleton<INotifier>(notifier);
        WorkflowHarness? harness = null;
        services?.Invoke(collection);
        collection.TryAddSingleton<IRollbackJournal, InMemoryRollbackJournal>();
        collection.TryAddSingleton<ITargetHealthProbe>(HealthyProbe.Instance);
        collection.AddRollbackKit(options =>
            {
                options.Targets.Add(new TargetDefinition { Id = "app", Labels = new() { ["name"] = "app" } });
                options.Targets.Add(new TargetDefinition { Id = "web", Labels = new() { ["name"] = "web" } });
                options.Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = "test", Name = "test-step", Timeout = TimeSpan.FromMinutes(1) }] };
                options.Workflow.EvidenceEnabled = false;
                options.Workflow.ProgressInterval = TimeSpan.Zero;
                options.Workflow.UnfinishedScanInterval = TimeSpan.Zero;
                options.Workflow.VerificationWindow = TimeSpan.Zero; // one health check unless a test asks for a window
                options.Workflow.NotifierDrainTimeout = TimeSpan.Zero; // the fake clock does not run while the harness is disposed
                configure?.Invoke(options);
            })
            .AddPlaybookStep("test", (ctx, ct) =>
            {
                Interlocked.Increment(ref harness!._stepRuns);
                return harness.Step(ctx, ct);
            });
        after?.Invoke(collection);
        harness = new WorkflowHarness(collection.BuildServiceProvider(), time, notifier);
        return harness;
    }

    public RollbackTarget Target(string id = "app") => new(id, new Dictionary<string, string> { ["name"] = id });

    public RollbackRequest Request(
        string target = "app",
        RollbackSeverity severity = RollbackSeverity.Critical,
        RollbackTriggerType type = RollbackTriggerType.MetricTrigger,
        string? dedup = null,
        bool alertOnly = false,
        TriggerEvidence? evidence = null) => new()
        {
            Target = Target(target),
            TriggerType = type,
            Severity = severity,
            Reason = "error rate 5.2/min > 0.75/min for 5m",
            RequestedBy = "error-rate",
            DeduplicationKey = dedup,
            AlertOnly = alertOnly,
            Evidence = evidence,
            RequestedAt = Time.GetUtcNow(),
        };

    public async Task StartHostedServicesAsync()
    {
        foreach (var service in Services.GetServices<IHostedService>().OfType<RollbackWorkflowHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    /// <summary>Approves the next decision asked for (for example the re-run of a step a crash interrupted).</summary>
    public async Task ApproveNextAsync()
    {
        var question = await Notifier.WaitForAsync(RollbackEventKind.AwaitingApproval);
        Assert.True(await Gate.DecideAsync(question.ApprovalId!, RollbackKit.Approval.ApprovalDecision.Approved, "operator"));
    }

    public Task<RollbackStatus> WaitAsync(string? rollbackId) =>
        Controller.WaitForCompletionAsync(rollbackId ?? throw new ArgumentNullException(nameof(rollbackId))).WaitAsync(WaitLimit);

    /// <summary>Advances the fake clock in steps until <paramref name="task"/> completes (bounded by real time).</summary>
    public async Task<T> AdvanceUntilAsync<T>(Task<T> task, TimeSpan step)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (!task.IsCompleted)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The operation did not complete while advancing the fake clock.");
            }

            Time.Advance(step);
            await Task.WhenAny(task, Task.Delay(5));
        }

        return await task;
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}

/// <summary>A probe that always reports the target healthy.</summary>
internal sealed class HealthyProbe : ITargetHealthProbe
{
    public static readonly HealthyProbe Instance = new();

    public ValueTask<TargetHealth> ProbeAsync(RollbackTarget target, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new TargetHealth(true, "all triggers pass", []));
}

/// <summary>Records every event and lets tests wait for one.</summary>
internal sealed class RecordingNotifier : INotifier
{
    private readonly ConcurrentQueue<RollbackEvent> _events = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "recording";

    public IReadOnlyList<RollbackEvent> Events => _events.ToArray();

    public ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
    {
        _events.Enqueue(rollbackEvent);
        lock (_gate)
        {
            _changed.TrySetResult();
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return ValueTask.CompletedTask;
    }

    public async Task<RollbackEvent> WaitForAsync(Func<RollbackEvent, bool> predicate)
    {
        var deadline = DateTime.UtcNow + WorkflowHarness.WaitLimit;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            var found = _events.FirstOrDefault(predicate);
            if (found is not null)
            {
                return found;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("Expected event not received. Got: " + string.Join(", ", _events.Select(e => e.Kind)));
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    public Task<RollbackEvent> WaitForAsync(RollbackEventKind kind) => WaitForAsync(e => e.Kind == kind);
}
