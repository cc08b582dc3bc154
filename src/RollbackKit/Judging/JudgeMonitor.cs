using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Metrics;
using RollbackKit.Sharding;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;

namespace RollbackKit.Judging;

/// <summary>
/// Runs the judge triggers (<c>Triggers:N:Judge</c>): each on its own timer, every <see cref="JudgeDefinition.Interval"/>
/// it range-queries the canary and baseline of every metric over the last <see cref="JudgeDefinition.Window"/> through
/// the <see cref="IMetricHistorySource"/>s, judges every target with a <see cref="CanaryJudge"/>, and sends a target whose
/// judgement turned to <see cref="JudgeClassification.Fail"/> to the dispatcher, like any fired trigger, with the score and
/// the failing metrics in its evidence. A target is sent again only after a judgement that did not fail. With sharding
/// (<see cref="IShardOwnership"/>) it queries and judges only the targets of the shards this replica holds, like the
/// monitor; a target gained from another replica starts with a fresh failing latch.
/// </summary>
internal sealed class JudgeMonitor : BackgroundService
{
    private readonly RollbackKitOptions _options;
    private readonly IReadOnlyList<RollbackTarget> _targets;
    private readonly IMetricHistorySource[] _sources;
    private readonly TimeProvider _time;
    private readonly IRollbackDispatcher? _dispatcher;
    private readonly ILogger _logger;
    private readonly Lazy<JudgeTrigger[]> _judges;
    private readonly IShardOwnership? _shards;
    private readonly Lock _ownedGate = new();
    private int _ownershipChanged = 1;
    private OwnedTargets? _owned;

    public JudgeMonitor(
        IOptions<RollbackKitOptions> options,
        IRollbackTargetCatalog catalog,
        IEnumerable<IMetricHistorySource> sources,
        TimeProvider timeProvider,
        IRollbackDispatcher? dispatcher = null,
        ILogger<JudgeMonitor>? logger = null,
        IShardOwnership? shards = null)
    {
        _options = options.Value;
        _targets = catalog.Targets;
        _sources = [.. sources];
        _time = timeProvider;
        _dispatcher = dispatcher;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _judges = new Lazy<JudgeTrigger[]>(Build, LazyThreadSafetyMode.ExecutionAndPublication);
        _shards = shards;
        if (shards is not null)
        {
            shards.OwnershipChanged += OnOwnershipChanged;
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (_shards is not null)
        {
            _shards.OwnershipChanged -= OnOwnershipChanged;
        }

        base.Dispose();
    }

    /// <summary>The judge triggers' names, in configuration order.</summary>
    public IReadOnlyList<string> JudgeNames => [.. _judges.Value.Select(static j => j.Trigger.Name)];

    /// <summary>The judge triggers, ready to run, in configuration order (disabled ones left out).</summary>
    internal IReadOnlyList<JudgeTrigger> Judges => _judges.Value;

    /// <summary>Runs every judge once now; returns one report per judge and target.</summary>
    public async Task<IReadOnlyList<JudgeReport>> JudgeAllAsync(CancellationToken cancellationToken = default)
    {
        var reports = new List<JudgeReport>();
        foreach (var judge in _judges.Value)
        {
            reports.AddRange(await JudgeAsync(judge, cancellationToken).ConfigureAwait(false));
        }

        return reports;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var judges = _judges.Value;
        if (judges.Length == 0 || _targets.Count == 0)
        {
            return;
        }

        if (!_options.MonitorEnabled)
        {
            Log.JudgeDisabled(_logger);
            return;
        }

        Log.JudgeStarted(_logger, judges.Length, _targets.Count);
        var loops = new Task[judges.Length];
        for (var i = 0; i < judges.Length; i++)
        {
            loops[i] = RunLoopAsync(judges[i], stoppingToken);
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private async Task RunLoopAsync(JudgeTrigger judge, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(judge.Definition.Interval, _time);
        do
        {
            try
            {
                await JudgeAsync(judge, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // One failed run must not stop the judge.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.JudgeRunFailed(_logger, judge.Trigger.Name, ex);
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

    /// <summary>
    /// Runs one judge now (the clock's time): range-queries its window, judges every target, sends a target whose judgement
    /// turned to fail to the dispatcher. The timer loop and the backtest's replay both call this.
    /// </summary>
    internal async Task<List<JudgeReport>> JudgeAsync(JudgeTrigger judge, CancellationToken cancellationToken)
    {
        var definition = judge.Definition;
        var now = _time.GetUtcNow();
        var to = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        var steps = (int)(definition.Window.Ticks / definition.Step.Ticks) + 1;
        var from = to - (definition.Step * (steps - 1));

        var owned = Owned();
        var targets = owned.Targets;
        var metricCount = judge.Canary.Length;
        var canary = new MetricHistory[metricCount];
        var baseline = new MetricHistory[metricCount];
        var queries = new List<Task>(metricCount * 2);
        for (var m = 0; m < metricCount; m++)
        {
            canary[m] = new MetricHistory(judge.Canary[m], targets, from, definition.Step, steps);
            baseline[m] = new MetricHistory(judge.Baseline[m], targets, from, definition.Step, steps);
            queries.Add(QueryAsync(judge.Sources[m], canary[m], cancellationToken));
            queries.Add(QueryAsync(judge.Sources[m], baseline[m], cancellationToken));
        }

        await Task.WhenAll(queries).ConfigureAwait(false);

        var reports = new List<JudgeReport>(targets.Count);
        var results = new MetricJudgement[metricCount];
        for (var t = 0; t < targets.Count; t++)
        {
            var target = targets[t];
            var index = owned.Indexes is null ? t : owned.Indexes[t]; // the target's index in the catalog
            var error = FirstError(judge, canary, baseline, t, target);
            if (error is not null)
            {
                reports.Add(new JudgeReport(judge.Trigger.Name, target.Id, null, [], error, null));
                continue;
            }

            for (var m = 0; m < metricCount; m++)
            {
                results[m] = judge.Judge.JudgeMetric(m, canary[m].GetValues(t), baseline[m].GetValues(t));
            }

            var score = judge.Judge.Score(results);
            DispatchResult? dispatched = null;
            if (score.Classification == JudgeClassification.Fail)
            {
                if (!judge.Failing[index])
                {
                    judge.Failing[index] = true;
                    dispatched = await FireAsync(judge, index, score, results, now, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                judge.Failing[index] = false;
                Log.JudgeJudged(_logger, judge.Trigger.Name, target.Id, score.Score, score.Classification);
            }

            reports.Add(new JudgeReport(judge.Trigger.Name, target.Id, score, [.. results], null, dispatched));
        }

        return reports;
    }

    private static async Task QueryAsync(IMetricHistorySource source, MetricHistory history, CancellationToken cancellationToken)
    {
        try
        {
            await source.QueryRangeAsync(history, cancellationToken).ConfigureAwait(false);
            history.SetNoDataForUnanswered();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A source that throws is an error for every step and target, as the backtest records it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            history.SetErrorForAll(0, history.StepCount, $"query '{history.Query.Name}' failed: {ex.GetType().Name}");
        }
    }

    private string? FirstError(JudgeTrigger judge, MetricHistory[] canary, MetricHistory[] baseline, int target, RollbackTarget rollbackTarget)
    {
        for (var m = 0; m < canary.Length; m++)
        {
            foreach (var history in (ReadOnlySpan<MetricHistory>)[canary[m], baseline[m]])
            {
                var statuses = history.GetStatuses(target);
                var step = statuses.IndexOf(MetricSampleStatus.Error);
                if (step >= 0)
                {
                    var error = history.GetError(target, step) ?? "source error";
                    Log.JudgeQueryError(_logger, judge.Trigger.Name, judge.Judge.MetricNames[m], rollbackTarget.Id, error);
                    return error;
                }
            }
        }

        return null;
    }

    private void OnOwnershipChanged(object? sender, EventArgs e) => Volatile.Write(ref _ownershipChanged, 1);

    /// <summary>
    /// The targets this replica judges: every target without sharding, else those of the owned shards (recomputed only after
    /// the ownership changed). A gained target's failing latch is cleared, so a canary that failed while another replica
    /// owned it is sent again from here.
    /// </summary>
    private OwnedTargets Owned()
    {
        if (_shards is null)
        {
            return _owned ??= new OwnedTargets(_targets, null, null);
        }

        lock (_ownedGate)
        {
            if (Interlocked.Exchange(ref _ownershipChanged, 0) == 0 && _owned is not null)
            {
                return _owned;
            }

            var shardCount = Math.Max(1, _shards.ShardCount);
            var targets = new List<RollbackTarget>();
            var indexes = new List<int>();
            var isOwned = new bool[_targets.Count];
            for (var i = 0; i < _targets.Count; i++)
            {
                if (_shards.Owns(TargetShards.ShardOf(_targets[i].Id, shardCount)))
                {
                    isOwned[i] = true;
                    targets.Add(_targets[i]);
                    indexes.Add(i);
                    if (_owned?.IsOwned is { } before && !before[i])
                    {
                        foreach (var judge in _judges.Value)
                        {
                            judge.Failing[i] = false;
                        }
                    }
                }
            }

            return _owned = new OwnedTargets(targets, [.. indexes], isOwned);
        }
    }

    /// <summary>The targets judged now; <paramref name="Indexes"/> maps each to its catalog index (none: the catalog itself).</summary>
    private sealed record OwnedTargets(IReadOnlyList<RollbackTarget> Targets, int[]? Indexes, bool[]? IsOwned);

    private async Task<DispatchResult?> FireAsync(JudgeTrigger judge, int targetIndex, JudgeScore score, MetricJudgement[] results, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var trigger = judge.Trigger;
        var target = _targets[targetIndex];
        var request = BuildRequest(judge, target, score, results, now);
        if (trigger.DryRun)
        {
            Log.JudgeDryRunFailed(_logger, trigger.Name, target.Id, score.Score);
        }
        else
        {
            Log.JudgeFailed(_logger, trigger.Name, target.Id, score.Score, score.Classification, request.Details["judge.failed_metrics"]);
        }

        if (_dispatcher is null)
        {
            Log.JudgeNoDispatcher(_logger, trigger.Name, target.Id);
            return null;
        }

        try
        {
            return await _dispatcher.DispatchAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failing dispatcher must not stop the judgement of other targets.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.JudgeDispatchFailed(_logger, trigger.Name, target.Id, ex);
            judge.Failing[targetIndex] = false;
            return null;
        }
    }

    /// <summary>The request of a failed judgement: the score, and per failed metric its p-value, effect and medians.</summary>
    internal static RollbackRequest BuildRequest(JudgeTrigger judge, RollbackTarget target, JudgeScore score, ReadOnlySpan<MetricJudgement> results, DateTimeOffset now)
    {
        var trigger = judge.Trigger;
        var definition = judge.Definition;
        var names = judge.Judge.MetricNames;
        var values = new List<MeasuredValue> { new("judge.score", score.Score) };
        var failed = new StringBuilder();
        for (var m = 0; m < results.Length; m++)
        {
            var r = results[m];
            if (r.Outcome != MetricOutcome.Fail)
            {
                continue;
            }

            var name = names[m];
            values.Add(new MeasuredValue(name + ".p_value", r.PValue));
            values.Add(new MeasuredValue(name + ".effect", r.Effect));
            values.Add(new MeasuredValue(name + ".canary_median", r.CanaryMedian));
            values.Add(new MeasuredValue(name + ".baseline_median", r.BaselineMedian));
            if (failed.Length > 0)
            {
                failed.Append(", ");
            }

            failed.Append(name);
            if (double.IsNaN(r.PValue))
            {
                failed.Append(" (no data: ").Append(r.CanaryCount.ToString(CultureInfo.InvariantCulture)).Append(" canary / ")
                    .Append(r.BaselineCount.ToString(CultureInfo.InvariantCulture)).Append(" baseline samples)");
            }
            else
            {
                failed.Append(" (p=").Append(r.PValue.ToString("G3", CultureInfo.InvariantCulture))
                    .Append(", effect ").Append(r.Effect.ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture)).Append(')');
            }

            if (definition.Metrics[m].Critical)
            {
                failed.Append(" critical");
            }
        }

        var scoreText = score.Score.ToString("0.#", CultureInfo.InvariantCulture);
        var window = definition.Window.ToString("c", CultureInfo.InvariantCulture);
        var reason = score.CriticalFailed
            ? $"{trigger.Name}: canary judge failed a critical metric (score {scoreText}) over {window}: {failed}"
            : $"{trigger.Name}: canary judge score {scoreText} < {definition.MarginalScore.ToString(CultureInfo.InvariantCulture)} over {window}; failed: {failed}";
        return new RollbackRequest
        {
            Target = target,
            TriggerType = RollbackTriggerType.MetricTrigger,
            Severity = trigger.Severity,
            Reason = reason,
            RequestedBy = trigger.Name,
            RequestedAt = now,
            AlertOnly = trigger.Action == TriggerAction.AlertOnly,
            Details = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["judge.score"] = scoreText,
                ["judge.classification"] = score.Classification.ToString(),
                ["judge.failed_metrics"] = failed.ToString(),
            },
            Evidence = new TriggerEvidence
            {
                TriggerName = trigger.Name,
                Condition = $"judge: {names.Count} metrics over {window}, pass {definition.PassScore.ToString(CultureInfo.InvariantCulture)}, marginal {definition.MarginalScore.ToString(CultureInfo.InvariantCulture)}",
                Values = values,
                Actual = score.Score,
                Threshold = definition.MarginalScore,
                FirstFailedAt = now,
                DetectedAt = now,
                DryRun = trigger.DryRun,
            },
        };
    }

    private JudgeTrigger[] Build()
    {
        var judges = new List<JudgeTrigger>();
        var triggers = _options.Triggers;
        for (var i = 0; i < triggers.Count; i++)
        {
            var trigger = triggers[i];
            if (trigger?.Judge is not { } definition || !trigger.Enabled)
            {
                continue;
            }

            var count = definition.Metrics.Count;
            var canary = new MetricQueryDefinition[count];
            var baseline = new MetricQueryDefinition[count];
            var sources = new IMetricHistorySource[count];
            for (var m = 0; m < count; m++)
            {
                var metric = definition.Metrics[m];
                canary[m] = new MetricQueryDefinition { Name = $"{trigger.Name}.{metric.Name}.canary", Expression = metric.Canary, Source = metric.Source };
                baseline[m] = new MetricQueryDefinition { Name = $"{trigger.Name}.{metric.Name}.baseline", Expression = metric.Baseline, Source = metric.Source };
                sources[m] = ResolveSource(metric.Source)
                    ?? throw new InvalidOperationException($"Triggers:{i}:Judge:Metrics:{m}:Source: no history source named '{metric.Source}' is registered.");
            }

            judges.Add(new JudgeTrigger(trigger, definition, new CanaryJudge(definition), canary, baseline, sources, new bool[_targets.Count]));
        }

        return [.. judges];
    }

    private IMetricHistorySource? ResolveSource(string? name)
    {
        if (name is null)
        {
            return _sources.Length == 1 ? _sources[0] : null;
        }

        return Array.Find(_sources, s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>A judge trigger, ready to run: its judge, its queries and sources per metric, and per target whether its last judgement failed.</summary>
internal sealed record JudgeTrigger(
    TriggerDefinition Trigger,
    JudgeDefinition Definition,
    CanaryJudge Judge,
    MetricQueryDefinition[] Canary,
    MetricQueryDefinition[] Baseline,
    IMetricHistorySource[] Sources,
    bool[] Failing);

/// <summary>One judge's verdict for one target: the score and per-metric results, or the source error that prevented it.</summary>
/// <param name="Trigger">The judge trigger's name.</param>
/// <param name="Target">The target id.</param>
/// <param name="Score">The aggregate, or <see langword="null"/> when a source error prevented the judgement.</param>
/// <param name="Metrics">The per-metric judgements, index-aligned with the configured metrics.</param>
/// <param name="Error">The source error, or <see langword="null"/>.</param>
/// <param name="Dispatch">The dispatcher's answer when this judgement sent a request, else <see langword="null"/>.</param>
internal sealed record JudgeReport(string Trigger, string Target, JudgeScore? Score, MetricJudgement[] Metrics, string? Error, DispatchResult? Dispatch);
