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
/// The hosted monitor: queries, evaluation and dispatch, once per evaluation interval. With sharding
/// (<see cref="UseShards"/>) a tick queries, evaluates, explains, counts and dispatches only the targets of the owned
/// shards; without it, every target. Each tick is a
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
    private TargetRange[] _ownedRuns = [];

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
        var ownedCount = owned?.Length ?? _configuration.Targets.Count;
        var started = _time.GetTimestamp();
        using var tick = RollbackKitActivitySource.Instance.StartActivity("rollbackkit.monitor.tick");
        tick?.SetTag(RollbackKitTags.TargetCount, ownedCount);
        var queryErrors = await QueryAsync(state, owned, now, cancellationToken).ConfigureAwait(false);
        var warnings = QueryWarnings.All(state.Batches);

        int firedCount;
        using (var evaluate = RollbackKitActivitySource.Instance.StartActivity("rollbackkit.evaluate"))
        {
            var evaluationStarted = _time.GetTimestamp();
            firedCount = owned is null
                ? state.Engine.Evaluate(now, state.Verdicts)
                : state.Engine.EvaluateOwned(now, _ownedRuns, state.Verdicts);
            _explanation.Capture(state.Engine, state.Verdicts, state.Batches, now, owned is null ? null : _ownedRuns, _owned);

            // Verdicts of targets not owned are kept Disabled (see OwnedTargets), which the outcome counts skip.
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
            Verdicts = ownedCount * state.Engine.Triggers.Count,
            OwnedTargets = ownedCount,
            Fired = fired,
            Dispatched = dispatched,
            QueryErrors = queryErrors,
            Warnings = warnings,
        };
    }

    /// <summary>
    /// Runs every query for every target (only the owned ones when <paramref name="owned"/> is set: the batches then
    /// hold only those, see <see cref="OwnedTargets"/>) and writes the answers into the engine at the targets' engine
    /// indexes; returns the queries with errors.
    /// </summary>
    private async Task<int> QueryAsync(TickState state, int[]? owned, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var i = 0; i < state.Batches.Length; i++)
        {
            state.Batches[i].Reset(now);
            // A replica that owns no shard has nothing to ask (a grouped query would otherwise still be sent).
            state.Tasks[i] = owned is { Length: 0 }
                ? Task.CompletedTask
                : MetricQueryRunner.RunAsync(_configuration.SourceOf(i), state.Batches[i], _time, cancellationToken);
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

            if (owned is null)
            {
                batch.Values.CopyTo(state.Engine.GetValues(i));
                batch.Statuses.CopyTo(state.Engine.GetStatuses(i));
                continue;
            }

            // Batch entry j answers engine target owned[j].
            var values = state.Engine.GetValues(i);
            var statuses = state.Engine.GetStatuses(i);
            var batchValues = batch.Values;
            var batchStatuses = batch.Statuses;
            for (var j = 0; j < owned.Length; j++)
            {
                values[owned[j]] = batchValues[j];
                statuses[owned[j]] = batchStatuses[j];
            }
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
    /// The indexes of the targets in owned shards (ascending engine indexes), recomputed only after the ownership
    /// changed, so a steady tick allocates nothing for it. On a change it also rebuilds what follows from the list:
    /// <list type="bullet">
    /// <item>the query batches, which then hold only the owned targets (a per-target query is sent for those only; a
    /// grouped query, <see cref="MetricQueryDefinition.GroupBy"/>, is still one request whose reply may hold every
    /// target's series, of which only the owned targets' are matched and read);</item>
    /// <item>the runs of consecutive owned indexes the engine evaluates (<see cref="EvaluationEngine.EvaluateOwned"/>);</item>
    /// <item>for a target gained from another replica, fresh trigger state (its timers and latches restart), so a
    /// condition that fired while another replica owned it fires again on this one;</item>
    /// <item>for a target lost, verdicts set to Disabled without a fire (nothing dispatches, explains or counts them)
    /// and query values cleared (a baseline capture in progress does not average a stale value).</item>
    /// </list>
    /// </summary>
    private int[] OwnedTargets(TickState state)
    {
        if (Interlocked.Exchange(ref _ownershipChanged, 0) == 0 && _ownedTargets is not null)
        {
            return _ownedTargets;
        }

        var shards = _shards!;
        var targets = _configuration.Targets;
        var engine = state.Engine;
        var triggerCount = engine.Triggers.Count;
        var shardCount = Math.Max(1, shards.ShardCount);
        var owned = new bool[targets.Count];
        var list = new List<int>(targets.Count);
        var ownedTargets = new List<RollbackTarget>(targets.Count);
        for (var i = 0; i < targets.Count; i++)
        {
            if (!shards.Owns(TargetShards.ShardOf(targets[i].Id, shardCount)))
            {
                if (_owned is null || _owned[i])
                {
                    Forget(state, i, triggerCount);
                }

                continue;
            }

            owned[i] = true;
            list.Add(i);
            ownedTargets.Add(targets[i]);
            if (_owned is not null && !_owned[i])
            {
                engine.ResetTarget(i);
            }
        }

        for (var q = 0; q < state.Batches.Length; q++)
        {
            state.Batches[q] = new MetricQueryBatch(_configuration.Queries[q], ownedTargets);
        }

        _owned = owned;
        _ownedTargets = [.. list];
        _ownedRuns = TargetRange.FromIndexes(_ownedTargets);
        return _ownedTargets;
    }

    /// <summary>Marks a target this replica does not (or no longer) own: Disabled verdicts, no query values.</summary>
    private static void Forget(TickState state, int target, int triggerCount)
    {
        for (var t = 0; t < triggerCount; t++)
        {
            state.Verdicts[(target * triggerCount) + t] = new TriggerVerdict
            {
                Outcome = VerdictOutcome.Disabled,
                Actual = double.NaN,
                Threshold = double.NaN,
            };
        }

        for (var q = 0; q < state.Batches.Length; q++)
        {
            state.Engine.GetValues(q)[target] = double.NaN;
            state.Engine.GetStatuses(q)[target] = MetricSampleStatus.None;
        }
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

    /// <summary>
    /// The monitor's per-tick memory, allocated once; with sharding the query batches are replaced (owned targets only)
    /// after an ownership change.
    /// </summary>
    private sealed record TickState(EvaluationEngine Engine, MetricQueryBatch[] Batches, Task[] Tasks, TriggerVerdict[] Verdicts);
}
