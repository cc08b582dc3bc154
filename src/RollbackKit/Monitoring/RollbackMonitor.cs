using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Monitoring;

/// <summary>The hosted monitor: queries, evaluation and dispatch, once per evaluation interval.</summary>
internal sealed partial class RollbackMonitor : BackgroundService, IRollbackMonitor, ITargetHealthProbe
{
    private readonly RollbackKitOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MonitorMetrics _metrics;
    private readonly IRollbackTargetCatalog _catalog;
    private readonly IMetricSource[] _sources;
    private readonly SemaphoreSlim _tickGate = new(1, 1);
    private readonly Lazy<State> _state;
    private readonly Lazy<IMonitorLeadership?> _leadership;
    private readonly Lazy<IRollbackDispatcher?> _dispatcher;

    public RollbackMonitor(
        IOptions<RollbackKitOptions> options,
        IRollbackTargetCatalog catalog,
        IEnumerable<IMetricSource> sources,
        IServiceProvider services,
        TimeProvider timeProvider,
        MonitorMetrics metrics,
        ILogger<RollbackMonitor>? logger = null)
    {
        _options = options.Value;
        _catalog = catalog;
        _sources = sources.ToArray();
        _time = timeProvider;
        _metrics = metrics;
        _logger = logger ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _state = new Lazy<State>(CreateState, LazyThreadSafetyMode.ExecutionAndPublication);

        // Resolved on first use, not in the constructor: the dispatcher may itself depend on the monitor (as its probe).
        _leadership = new Lazy<IMonitorLeadership?>(services.GetService<IMonitorLeadership>);
        _dispatcher = new Lazy<IRollbackDispatcher?>(services.GetService<IRollbackDispatcher>);
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
        var index = IndexOf(state, targetId);
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

    public async ValueTask<TargetHealth> ProbeAsync(RollbackTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_options.Triggers.Count == 0)
        {
            return new TargetHealth(true, "no triggers configured", []);
        }

        var state = _state.Value;
        var now = _time.GetUtcNow();
        var single = new[] { target };
        var batches = new MetricQueryBatch[state.Queries.Length];
        var tasks = new Task[state.Queries.Length];
        for (var i = 0; i < batches.Length; i++)
        {
            batches[i] = new MetricQueryBatch(state.Queries[i], single);
            batches[i].Reset(now);
            tasks[i] = RunQueryAsync(state.SourceOf[i], batches[i], cancellationToken);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);

        var engine = new EvaluationEngine(single, state.QueryNames, _options.Triggers, _options.Baselines);
        for (var i = 0; i < batches.Length; i++)
        {
            batches[i].Values.CopyTo(engine.GetValues(i));
            batches[i].Statuses.CopyTo(engine.GetStatuses(i));
        }

        // Captured baselines of this target carry over from the running engine.
        var mainIndex = IndexOf(state, target.Id);
        if (mainIndex >= 0)
        {
            for (var b = 0; b < _options.Baselines.Count; b++)
            {
                var valueIndex = state.Engine.GetValueIndex(_options.Baselines[b].Name);
                var value = state.Engine.GetValues(valueIndex)[mainIndex];
                if (!double.IsNaN(value))
                {
                    engine.SetBaseline(0, _options.Baselines[b].Name, value);
                }
            }
        }

        var verdicts = new TriggerVerdict[engine.VerdictCount];
        engine.Evaluate(now, verdicts);
        var healthy = true;
        var summary = new StringBuilder();
        foreach (var verdict in verdicts)
        {
            var trigger = engine.Triggers[verdict.TriggerIndex];
            if (verdict.Outcome == VerdictOutcome.Fail && trigger.Action == TriggerAction.Rollback && !trigger.DryRun)
            {
                healthy = false;
                if (summary.Length > 0)
                {
                    summary.Append("; ");
                }

                summary.Append(trigger.Name).Append(" failing (").Append(Format(verdict.Actual))
                    .Append(" vs ").Append(Format(verdict.Threshold)).Append(')');
            }
        }

        var values = new List<MeasuredValue>(engine.ValueNames.Count);
        for (var i = 0; i < engine.ValueNames.Count; i++)
        {
            values.Add(new MeasuredValue(engine.ValueNames[i], engine.GetValues(i)[0]));
        }

        return new TargetHealth(healthy, healthy ? "all triggers passing" : summary.ToString(), values);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.MonitorEnabled)
        {
            Log.MonitorDisabled(_logger);
            return;
        }

        if (_catalog.Targets.Count == 0 || _options.Triggers.Count == 0)
        {
            Log.NothingToMonitor(_logger, _catalog.Targets.Count, _options.Triggers.Count);
            return;
        }

        Log.MonitorStarted(_logger, _catalog.Targets.Count, _options.Triggers.Count, _options.EvaluationInterval);
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

    public override void Dispose()
    {
        _tickGate.Dispose();
        base.Dispose();
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

    private async ValueTask<MonitorTickResult> TickCoreAsync(State state, CancellationToken cancellationToken)
    {
        var leadership = _leadership.Value;
        var now = _time.GetUtcNow();
        if (leadership is not null && !await leadership.IsLeaderAsync(cancellationToken).ConfigureAwait(false))
        {
            return new MonitorTickResult { Time = now, SkippedNotLeader = true };
        }

        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < state.Batches.Length; i++)
        {
            state.Batches[i].Reset(now);
            state.Tasks[i] = RunQueryAsync(state.SourceOf[i], state.Batches[i], cancellationToken);
        }

        await Task.WhenAll(state.Tasks).ConfigureAwait(false);

        var queryErrors = 0;
        for (var i = 0; i < state.Batches.Length; i++)
        {
            var batch = state.Batches[i];
            if (batch.Error is not null)
            {
                queryErrors++;
                _metrics.QueryError(batch.Query.Name);
                Log.QueryFailed(_logger, batch.Query.Name, batch.Error);
            }

            batch.Values.CopyTo(state.Engine.GetValues(i));
            batch.Statuses.CopyTo(state.Engine.GetStatuses(i));
        }

        var evaluationStarted = Stopwatch.GetTimestamp();
        var firedCount = state.Engine.Evaluate(now, state.Verdicts);
        _metrics.Evaluated(Stopwatch.GetElapsedTime(evaluationStarted), state.Verdicts);

        var fired = 0;
        var dispatched = 0;
        if (firedCount > 0)
        {
            var dispatcher = _dispatcher.Value;
            foreach (var verdict in state.Verdicts)
            {
                if (!verdict.Fired && !verdict.ErrorLimitReached)
                {
                    continue;
                }

                var trigger = state.Engine.Triggers[verdict.TriggerIndex];
                var target = state.Engine.Targets[verdict.TargetIndex];
                RollbackRequest request;
                if (verdict.Fired)
                {
                    fired++;
                    _metrics.Fired(trigger);
                    var evidence = BuildEvidence(state, verdict, trigger, now);
                    if (trigger.DryRun)
                    {
                        Log.DryRunFired(_logger, trigger.Name, target.Id, verdict.Actual, verdict.Threshold);
                        continue;
                    }

                    Log.TriggerFired(_logger, trigger.Name, target.Id, verdict.Actual, verdict.Threshold, trigger.Severity);
                    request = new RollbackRequest
                    {
                        Target = target,
                        TriggerType = RollbackTriggerType.MetricTrigger,
                        Severity = trigger.Severity,
                        Reason = BuildReason(trigger, verdict),
                        RequestedBy = trigger.Name,
                        Evidence = evidence,
                        RequestedAt = now,
                        AlertOnly = trigger.Action == TriggerAction.AlertOnly,
                    };
                }
                else
                {
                    var error = FirstError(state, verdict.TriggerIndex) ?? "source error";
                    Log.ErrorLimitReached(_logger, trigger.Name, target.Id, verdict.ConsecutiveErrors, error);
                    request = new RollbackRequest
                    {
                        Target = target,
                        TriggerType = RollbackTriggerType.MetricTrigger,
                        Severity = trigger.Severity,
                        Reason = $"{trigger.Name}: {verdict.ConsecutiveErrors} consecutive measurement errors ({error}); no rollback is made on errors",
                        RequestedBy = trigger.Name,
                        RequestedAt = now,
                        AlertOnly = true,
                    };
                }

                if (dispatcher is null)
                {
                    Log.NoDispatcher(_logger, target.Id);
                    continue;
                }

                try
                {
                    await dispatcher.DispatchAsync(request, cancellationToken).ConfigureAwait(false);
                    dispatched++;
                    if (request.Evidence is not null)
                    {
                        _metrics.DetectionToDecision(_time.GetUtcNow() - request.Evidence.FirstFailedAt);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // A failing dispatcher must not stop evaluation of other targets.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.DispatchFailed(_logger, target.Id, ex);
                }
            }
        }

        _metrics.Ticked(Stopwatch.GetElapsedTime(started));
        return new MonitorTickResult
        {
            Time = now,
            Verdicts = state.Verdicts.Length,
            Fired = fired,
            Dispatched = dispatched,
            QueryErrors = queryErrors,
        };
    }

    private async Task RunQueryAsync(IMetricSource source, MetricQueryBatch batch, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(batch.Query.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await source.QueryAsync(batch, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            batch.SetErrorForAll($"query '{batch.Query.Name}' timed out after {batch.Query.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Sources must not throw into the engine: any exception becomes an error result.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            batch.SetErrorForAll($"query '{batch.Query.Name}' failed in source '{source.Name}': {ex.GetType().Name}: {ex.Message}");
        }

        batch.SetNoDataForUnanswered();
    }

    private static TriggerEvidence BuildEvidence(State state, TriggerVerdict verdict, TriggerDefinition trigger, DateTimeOffset now)
    {
        var referenced = state.Engine.GetReferencedValues(verdict.TriggerIndex);
        var values = new MeasuredValue[referenced.Count];
        for (var i = 0; i < referenced.Count; i++)
        {
            var index = referenced[i];
            values[i] = new MeasuredValue(state.Engine.ValueNames[index], state.Engine.GetValues(index)[verdict.TargetIndex]);
        }

        return new TriggerEvidence
        {
            TriggerName = trigger.Name,
            Condition = trigger.Condition,
            Values = values,
            Actual = double.IsNaN(verdict.Actual) ? null : verdict.Actual,
            Threshold = double.IsNaN(verdict.Threshold) ? null : verdict.Threshold,
            FirstFailedAt = verdict.FailingSinceUtcTicks > 0 ? new DateTimeOffset(verdict.FailingSinceUtcTicks, TimeSpan.Zero) : now,
            DetectedAt = now,
            DryRun = trigger.DryRun,
        };
    }

    private static string BuildReason(TriggerDefinition trigger, TriggerVerdict verdict)
    {
        var text = new StringBuilder(trigger.Name).Append(": ").Append(trigger.Condition);
        if (!double.IsNaN(verdict.Actual))
        {
            text.Append(" (actual ").Append(Format(verdict.Actual));
            if (!double.IsNaN(verdict.Threshold))
            {
                text.Append(", threshold ").Append(Format(verdict.Threshold));
            }

            text.Append(')');
        }

        if (trigger.For > TimeSpan.Zero)
        {
            text.Append(" for ").Append(trigger.For.ToString("c", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string? FirstError(State state, int triggerIndex)
    {
        foreach (var index in state.Engine.GetReferencedValues(triggerIndex))
        {
            if (index < state.Batches.Length && state.Batches[index].Error is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static int IndexOf(State state, string targetId)
    {
        return state.TargetIndex.TryGetValue(targetId, out var index) ? index : -1;
    }

    private State CreateState()
    {
        var targets = _catalog.Targets;
        var queries = _options.Queries.ToArray();
        var queryNames = queries.Select(static q => q.Name).ToArray();
        var engine = new EvaluationEngine(targets, queryNames, _options.Triggers, _options.Baselines);
        var sourceOf = new IMetricSource[queries.Length];
        var batches = new MetricQueryBatch[queries.Length];
        for (var i = 0; i < queries.Length; i++)
        {
            sourceOf[i] = ResolveSource(queries[i]);
            batches[i] = new MetricQueryBatch(queries[i], targets);
        }

        var targetIndex = new Dictionary<string, int>(targets.Count, StringComparer.Ordinal);
        for (var i = 0; i < targets.Count; i++)
        {
            targetIndex[targets[i].Id] = i;
        }

        return new State(engine, queries, queryNames, sourceOf, batches, new Task[queries.Length], new TriggerVerdict[engine.VerdictCount], targetIndex);
    }

    private IMetricSource ResolveSource(MetricQueryDefinition query)
    {
        if (query.Source is null)
        {
            return _sources.Length == 1
                ? _sources[0]
                : throw new InvalidOperationException($"Query '{query.Name}' names no source and {_sources.Length} sources are registered.");
        }

        foreach (var source in _sources)
        {
            if (string.Equals(source.Name, query.Source, StringComparison.OrdinalIgnoreCase))
            {
                return source;
            }
        }

        throw new InvalidOperationException($"Query '{query.Name}' names unknown source '{query.Source}'.");
    }

    private sealed record State(
        EvaluationEngine Engine,
        MetricQueryDefinition[] Queries,
        string[] QueryNames,
        IMetricSource[] SourceOf,
        MetricQueryBatch[] Batches,
        Task[] Tasks,
        TriggerVerdict[] Verdicts,
        Dictionary<string, int> TargetIndex);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "RollbackKit monitor is disabled (RollbackKit:MonitorEnabled = false).")]
        public static partial void MonitorDisabled(ILogger logger);

        [LoggerMessage(2, LogLevel.Warning, "RollbackKit monitor has nothing to evaluate ({Targets} targets, {Triggers} triggers).")]
        public static partial void NothingToMonitor(ILogger logger, int targets, int triggers);

        [LoggerMessage(3, LogLevel.Information, "RollbackKit monitor started: {Targets} targets × {Triggers} triggers every {Interval}.")]
        public static partial void MonitorStarted(ILogger logger, int targets, int triggers, TimeSpan interval);

        [LoggerMessage(4, LogLevel.Error, "RollbackKit monitor tick failed.")]
        public static partial void TickFailed(ILogger logger, Exception exception);

        [LoggerMessage(5, LogLevel.Warning, "Query {Query} returned an error: {Error}")]
        public static partial void QueryFailed(ILogger logger, string query, string error);

        [LoggerMessage(6, LogLevel.Warning, "Trigger {Trigger} fired for {Target}: actual {Actual}, threshold {Threshold}, severity {Severity}.")]
        public static partial void TriggerFired(ILogger logger, string trigger, string target, double actual, double threshold, RollbackSeverity severity);

        [LoggerMessage(7, LogLevel.Information, "Dry run: trigger {Trigger} fired for {Target} (actual {Actual}, threshold {Threshold}); no action taken.")]
        public static partial void DryRunFired(ILogger logger, string trigger, string target, double actual, double threshold);

        [LoggerMessage(8, LogLevel.Warning, "Trigger {Trigger} for {Target}: {Errors} consecutive measurement errors ({Error}).")]
        public static partial void ErrorLimitReached(ILogger logger, string trigger, string target, int errors, string error);

        [LoggerMessage(9, LogLevel.Error, "Dispatching the rollback request for {Target} failed.")]
        public static partial void DispatchFailed(ILogger logger, string target, Exception exception);

        [LoggerMessage(10, LogLevel.Error, "No IRollbackDispatcher is registered; the request for {Target} was dropped.")]
        public static partial void NoDispatcher(ILogger logger, string target);
    }
}
