using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Benchmarks.Workflow;

/// <summary>
/// Overhead of the rollback workflow itself: a playbook of one no-op step, in-memory journal and lock, critical severity,
/// verification off, no notifiers (or only the default logging notifier without a logger provider).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class WorkflowBenchmarks
{
    private const int TargetCount = 256;
    private ServiceProvider _services = null!;
    private IRollbackDispatcher _dispatcher = null!;
    private IRollbackController _controller = null!;
    private RollbackRequest[] _requests = null!;
    private Func<PlaybookStepContext, CancellationToken, ValueTask<StepResult>> _noop = null!;
    private PlaybookStepContext _context = null!;
    private TaskCompletionSource? _started;
    private int _next;

    [Params(false, true)]
    public bool LoggingNotifier { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<IRollbackJournal, InMemoryRollbackJournal>();
        _noop = (_, _) =>
        {
            Volatile.Read(ref _started)?.TrySetResult();
            return ValueTask.FromResult(StepResult.Success());
        };
        services.AddRollbackKit(o =>
            {
                for (var i = 0; i < TargetCount; i++)
                {
                    o.Targets.Add(new TargetDefinition { Id = "t" + i });
                }

                o.Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = "noop" }] };
                o.Workflow.VerificationEnabled = false;
                o.Workflow.EvidenceEnabled = false;
                o.Workflow.Cooldown = TimeSpan.Zero;
                o.Workflow.MaxAttemptsPerTarget = int.MaxValue;
                o.Workflow.AttemptWindow = TimeSpan.FromTicks(1);
                o.Workflow.ProgressInterval = TimeSpan.Zero;
            })
            .AddPlaybookStep("noop", _noop);
        if (!LoggingNotifier)
        {
            services.RemoveAll<INotifier>();
        }

        _services = services.BuildServiceProvider();
        _dispatcher = _services.GetRequiredService<IRollbackDispatcher>();
        _controller = _services.GetRequiredService<IRollbackController>();
        _requests = Enumerable.Range(0, TargetCount).Select(i => new RollbackRequest
        {
            Target = new RollbackTarget("t" + i),
            TriggerType = RollbackTriggerType.MetricTrigger,
            Severity = RollbackSeverity.Critical,
            Reason = "error rate 5.2/min > 0.75/min for 5m",
            RequestedBy = "error-rate",
        }).ToArray();
        _context = new PlaybookStepContext("rb", _requests[0], new EvidenceCollector(), _services, TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    /// <summary>Baseline: the no-op step called directly.</summary>
    [Benchmark(Baseline = true)]
    public async Task DirectStepCall()
    {
        _started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _noop(_context, CancellationToken.None);
        await _started.Task;
    }

    /// <summary>DispatchAsync until the first playbook step starts (targets round-robin so the previous rollback has finished).</summary>
    [Benchmark]
    public async Task DispatchToFirstStep()
    {
        while (true)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _started = started;
            var request = _requests[_next++ % TargetCount];
            var result = await _dispatcher.DispatchAsync(request);
            if (result.Status == DispatchStatus.Started)
            {
                await started.Task;
                return;
            }

            // The previous rollback of this target is still finishing: wait for it and try again.
            if (result.RollbackId is { } id)
            {
                await _controller.WaitForCompletionAsync(id);
            }
        }
    }

    /// <summary>A whole rollback: DispatchAsync until the workflow finished (journaled RolledBack, lock released).</summary>
    [Benchmark]
    public async Task DispatchToCompletion()
    {
        _started = null;
        var result = await _dispatcher.DispatchAsync(_requests[_next++ % TargetCount]);
        await _controller.WaitForCompletionAsync(result.RollbackId!);
    }
}
