using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Sharding;
using RollbackKit.Telemetry;

namespace RollbackKit.Monitoring;

/// <summary>
/// The hosted monitor: queries, evaluation and dispatch, once per evaluation interval. Each tick is a
/// <c>rollbackkit.monitor.tick</c> span with a <c>rollbackkit.query</c> child per query and a <c>rollbackkit.evaluate</c>
/// child; requests are dispatched while the tick span is current, so dispatch spans are its children.
/// </summary>
internal sealed partial class RollbackMonitor : BackgroundService, IRollbackMonitor, IMonitorExplainer
{
    private readonly MonitorOptions _options;
    private readonly CompiledConfiguration _configuration;
    private readonly TimeProvider _time;
    private readonly RollbackKitMetrics _metrics;
    private readonly IRollbackDispatcher? _dispatcher;
    private readonly IMonitorLeadership? _leadership;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _tickGate = new(1, 1);
    private readonly Lazy<TickState> _state;
    private IShardOwnership? _shards;
    private int _ownershipChanged = 1;
    private bool[]? _owned;
    private int[]? _ownedTargets;

    public RollbackMonitor(
        IOptions<MonitorOptions> options,
        CompiledConfiguration configuration,
        TimeProvider timeProvider,
        RollbackKitMetrics metrics,
        IRollbackDispatcher? dispatcher = null,
        IMonitorLeadership? leadership = null,
        ILogger<RollbackMonitor>? logger = null)
    {
        _options = options.Value;
        _configuration = configuration;
        _time = timeProvider;
        _metrics = metrics;
        _dispatcher = dispatcher;
        _leadership = leadership;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _state = new Lazy<TickState>(CreateState, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Makes the monitor act only on the targets of the shards <paramref name="shards"/> owns (none: every target).
    /// Called once, when the monitor is registered, before its first tick.
    /// </summary>
    internal RollbackMonitor UseShards(IShardOwnership? shards)
    {
        if (shards is not null && _shards is null)
        {
            _shards = shards;
            shards.OwnershipChanged += OnOwnershipChanged;
        }

        return this;
    }

    public async ValueTask<MonitorTickResult> TickAsync(CancellationToken cancellationToken = default)
    {
        var state = _state.Value;
        await _tickGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await TickCoreAsync(state, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _tickGate.Release();
        }
    }

    public void StartBaselineCapture(string targetId)
    {
        var state = _state.Value;
        var index = _configuration.IndexOf(targetId);
        if (index < 0)
        {
            throw new ArgumentException($"Unknown target '{targetId}'.", nameof(targetId));
        }

        _tickGate.Wait();
        try
        {
            state.Engine.StartBaselineCapture(index, _time.GetUtcNow());
        }
        finally
        {
            _tickGate.Release();
        }
    }

    public override void Dispose()
    {
        if (_shards is not null)
        {
            _shards.OwnershipChanged -= OnOwnershipChanged;
        }

        _tickGate.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.MonitorEnabled)
        {
            Log.MonitorDisabled(_logger);
            return;
        }

        var targets = _configuration.Targets.Count;
        var triggers = _configuration.Triggers.Count;
        if (targets == 0 || triggers == 0)
        {
            Log.NothingToMonitor(_logger, targets, triggers);
            return;
        }

        Log.MonitorStarted(_logger, targets, triggers, _options.EvaluationInterval);
        HeartbeatStarted();
        using var timer = new PeriodicTimer(_options.EvaluationInterval, _time);
        do
        {
            try
            {
                await TickAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The monitor loop must survive any single failed tick.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.TickFailed(_logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async ValueTask<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async ValueTask<MonitorTickResult> TickCoreAsync(TickState state, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_leadership is not null && !await _leadership.IsLeaderAsync(cancellationToken).ConfigureAwait(false))
        {
            HeartbeatSkipped();
            return new MonitorTickResult { Time = now, SkippedNotLeader = true };
        }

        var owned = _shards is null ? null : OwnedTargets(state);
        var started = _time.GetTimestamp();
        using var tick = RollbackKitActivitySource.Instance.StartActivity("rollbackkit.monitor.tick");
        tick?.SetTag(RollbackKitTags.TargetCount, _configuration.Targets.Count);
        var queryErrors = await QueryAsync(state, now, cancellationToken).ConfigureAwait(false);
        var warnings = QueryWarnings.All(state.Batches);

        int firedCount;
        using (var evaluate = RollbackKitActivitySource.Instance.StartActivity("rollbackkit.evaluate"))
        {
            var evaluationStarted = _time.GetTimestamp();
            firedCount = state.Engine.Evaluate(now, state.Verdicts);
            _explanation.Capture(state.Engine, state.Verdicts, state.Batches, now);
            _metrics.Evaluated(_time.GetElapsedTime(evaluationStarted), state.Verdicts);
            evaluate?.SetTag(RollbackKitTags.FiredCount, firedCount);
        }

        var (fired, dispatched) = firedCount > 0 ? await DispatchAsync(state, owned, now, cancellationToken).ConfigureAwait(false) : (0, 0);
        tick?.SetTag(RollbackKitTags.FiredCount, fired);
        _metrics.Ticked(_time.GetElapsedTime(started));
        HeartbeatTicked(state.Batches, now);
        return new MonitorTickResult
        {
            Time = now,
            Verdicts = state.Verdicts.Length,
            OwnedTargets = owned?.Length ?? _configuration.Targets.Count,
            Fired = fired,
            Dispatched = dispatched,
            QueryErrors = queryErrors,
            Warnings = warnings,
        };
    }

    /// <summary>Runs every query for every target and writes the answers into the engine; returns the queries with errors.</summary>
    private async Task<int> QueryAsync(TickState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var i = 0; i < state.Batches.Length; i++)
        {
            state.Batches[i].Reset(now);
            state.Tasks[i] = MetricQueryRunner.RunAsync(_configuration.SourceOf(i), state.Batches[i], _time, cancellationToken);
        }

        await Task.WhenAll(state.Tasks).ConfigureAwait(false);

        var queryErrors = 0;
        for (var i = 0; i < state.Batches.Length; i++)
        {
            var batch = state.Batches[i];
            if (batch.Error is not null)
            {
                queryErrors++;
                _metrics.QueryError(batch.Query.Name, _configuration.SourceOf(i).Name);
                Log.QueryFailed(_logger, batch.Query.Name, batch.Error);
            }

            batch.Values.CopyTo(state.Engine.GetValues(i));
            batch.Statuses.CopyTo(state.Engine.GetStatuses(i));
        }

        return queryErrors;
    }

    /// <summary>
    /// Sends a request for every verdict of an owned target (every target when <paramref name="owned"/> is
    /// <see langword="null"/>) that fired or reached its error limit; returns (fired, dispatched).
    /// </summary>
    private async Task<(int Fired, int Dispatched)> DispatchAsync(TickState state, int[]? owned, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var fired = 0;
        var dispatched = 0;
        var engine = state.Engine;
        var triggerCount = engine.Triggers.Count;
        var count = owned is null ? state.Verdicts.Length : owned.Length * triggerCount;
        for (var i = 0; i < count; i++)
        {
            // Verdicts are target-major: verdicts[target * triggerCount + trigger].
            var v = owned is null ? i : (owned[i / triggerCount] * triggerCount) + (i % triggerCount);
            var verdict = state.Verdicts[v];
            if (!verdict.Fired && !verdict.ErrorLimitReached)
            {
                continue;
            }

            var (targetIndex, triggerIndex) = Math.DivRem(v, triggerCount);
            var trigger = engine.Triggers[triggerIndex];
            var target = engine.Targets[targetIndex];
            RollbackRequest request;
            if (verdict.Fired)
            {
                fired++;
                _metrics.TriggerFired(trigger);
                var evidence = VerdictTranslator.BuildEvidence(engine, targetIndex, triggerIndex, verdict, now, QueryWarnings.ForTrigger(engine, state.Batches, triggerIndex));
                if (trigger.DryRun)
                {
                    Log.DryRunFired(_logger, trigger.Name, target.Id, verdict.Actual, verdict.Threshold);
                }
                else
                {
                    Log.TriggerFired(_logger, trigger.Name, target.Id, verdict.Actual, verdict.Threshold, trigger.Severity);
                }

                // A dry-run fire goes to the dispatcher too, which journals it (DryRunFired) and acts on nothing.
                request = VerdictTranslator.FiredRequest(target, trigger, verdict, evidence, now);
            }
            else
            {
                var error = VerdictTranslator.FirstError(engine, state.Batches, triggerIndex) ?? "source error";
                Log.ErrorLimitReached(_logger, trigger.Name, target.Id, verdict.ConsecutiveErrors, error);
                request = VerdictTranslator.ErrorLimitRequest(target, trigger, verdict, error, now);
            }

            if (await SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                dispatched++;
            }
        }

        return (fired, dispatched);
    }

    private async Task<bool> SendAsync(RollbackRequest request, CancellationToken cancellationToken)
    {
        if (_dispatcher is null)
        {
            Log.NoDispatcher(_logger, request.Target.Id);
            return false;
        }

        try
        {
            await _dispatcher.DispatchAsync(request, cancellationToken).ConfigureAwait(false);
            if (request.Evidence is { DryRun: false })
            {
                _metrics.DetectionTime(_time.GetUtcNow() - request.Evidence.FirstFailedAt);
            }

            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failing dispatcher must not stop evaluation of other targets.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.DispatchFailed(_logger, request.Target.Id, ex);
            return false;
        }
    }

    private void OnOwnershipChanged(object? sender, EventArgs e) => Volatile.Write(ref _ownershipChanged, 1);

    /// <summary>
    /// The indexes of the targets in owned shards, recomputed only after the ownership changed (so a tick allocates
    /// nothing for it). A target gained from another replica starts with fresh trigger state (its timers and latches
    /// restart here), so a condition that fired while another replica owned it fires again on this one.
    /// </summary>
    private int[] OwnedTargets(TickState state)
    {
        if (Interlocked.Exchange(ref _ownershipChanged, 0) == 0 && _ownedTargets is not null)
        {
            return _ownedTargets;
        }

        var shards = _shards!;
        var targets = _configuration.Targets;
        var shardCount = Math.Max(1, shards.ShardCount);
        var owned = new bool[targets.Count];
        var list = new List<int>(targets.Count);
        for (var i = 0; i < targets.Count; i++)
        {
            if (!shards.Owns(TargetShards.ShardOf(targets[i].Id, shardCount)))
            {
                continue;
            }

            owned[i] = true;
            list.Add(i);
            if (_owned is not null && !_owned[i])
            {
                state.Engine.ResetTarget(i);
            }
        }

        _owned = owned;
        _ownedTargets = [.. list];
        return _ownedTargets;
    }

    private TickState CreateState()
    {
        var configuration = _configuration;
        var engine = configuration.Engine;
        var batches = new MetricQueryBatch[configuration.Queries.Length];
        for (var i = 0; i < batches.Length; i++)
        {
            batches[i] = new MetricQueryBatch(configuration.Queries[i], configuration.Targets);
        }

        return new TickState(engine, batches, new Task[batches.Length], new TriggerVerdict[engine.VerdictCount]);
    }

    /// <summary>The monitor's per-tick memory, allocated once.</summary>
    private sealed record TickState(EvaluationEngine Engine, MetricQueryBatch[] Batches, Task[] Tasks, TriggerVerdict[] Verdicts);
}
