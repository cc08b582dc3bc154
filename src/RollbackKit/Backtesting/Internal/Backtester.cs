using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Engine;
using RollbackKit.Groups;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Telemetry;
using RollbackKit.Triggers;

namespace RollbackKit.Backtesting.Internal;

/// <summary>
/// Replays a configuration over history through the monitor's own code: a <see cref="RollbackMonitor"/> over the
/// configuration, ticked once per step on a <see cref="ReplayClock"/>, whose sources answer from the fetched
/// <see cref="MetricHistory"/> and whose dispatcher is the <see cref="WhatIfDispatcher"/>. Judge triggers run through the
/// live <see cref="Judging.JudgeMonitor"/> on the same clock and dispatcher (<see cref="JudgeReplay"/>).
/// </summary>
internal sealed class Backtester(
    IOptions<RollbackKitOptions> options,
    IOptions<DispatchOptions> dispatchOptions,
    IRollbackTargetCatalog catalog,
    IEnumerable<IMetricHistorySource> sources) : IBacktester
{
    /// <summary>The most steps one backtest replays (a year at 15 s is about 2.1 million).</summary>
    internal const int MaxSteps = 2_200_000;

    private readonly IMetricHistorySource[] _sources = [.. sources];

    public async Task<BacktestResult> RunAsync(BacktestRequest request, IProgress<BacktestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var steps = CountSteps(request);
        var configuration = options.Value;
        var targets = SelectTargets(request.Targets);
        var queries = configuration.Queries;
        var triggers = configuration.Triggers.FindAll(static t => t?.Judge is null); // judge triggers: JudgeReplay
        var last = request.From + (request.Step * (steps - 1));
        var clock = new ReplayClock(request.From);
        var dispatch = Options.Create(dispatchOptions.Value);
        var groups = new GroupCatalog(configuration.Groups, catalog); // every member counts, selected or not
        var dispatcher = new WhatIfDispatcher(new AdmissionPolicy(dispatch), new KillSwitch(dispatch, NullLogger<KillSwitch>.Instance), groups, clock, request.AssumedRollbackDuration);
        using var judges = JudgeReplay.Create(configuration, targets, _sources, clock, dispatcher, request.From);
        var fetches = queries.Count + judges.QueryCount;

        // Fetch every query's history, each from the history source named like the live source that answers it.
        var replay = new Dictionary<IMetricHistorySource, ReplaySource>(ReferenceEqualityComparer.Instance);
        var histories = new MetricHistory[queries.Count];
        for (var q = 0; q < queries.Count; q++)
        {
            var source = ResolveSource(queries[q]);
            var history = histories[q] = new MetricHistory(queries[q], targets, request.From, request.Step, steps);
            await FetchAsync(source, history, cancellationToken).ConfigureAwait(false);
            if (!replay.TryGetValue(source, out var replaySource))
            {
                replay[source] = replaySource = new ReplaySource(source.Name);
            }

            replaySource.Add(history);
            progress?.Report(new BacktestProgress(BacktestPhase.Fetching, q + 1, fetches));
        }

        await judges.FetchAsync(targets, request.From, last, n => progress?.Report(new BacktestProgress(BacktestPhase.Fetching, queries.Count + n, fetches)), cancellationToken).ConfigureAwait(false);

        var compiled = new CompiledConfiguration(targets, queries, triggers, configuration.Baselines, replay.Values);
        using var meters = new PrivateMeterFactory();
        using var monitor = new RollbackMonitor(
            Options.Create(new MonitorOptions { EvaluationInterval = request.Step }),
            compiled,
            clock,
            new RollbackKitMetrics(meters),
            dispatcher,
            leadership: null,
            NullLogger<RollbackMonitor>.Instance);

        var points = new List<TriggerExplanation>[targets.Count * triggers.Count];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = new List<TriggerExplanation>(steps);
        }

        var captureAt = request.BaselineCaptureAt is { } at && at > request.From ? at : request.From;
        var capturing = configuration.Baselines.Count == 0;
        var reportEvery = Math.Max(1, steps / 200);
        for (var k = 0; k < steps; k++)
        {
            var now = request.From + (request.Step * k);
            if (judges.Any)
            {
                await judges.RunDueAsync(now, inclusive: false, cancellationToken).ConfigureAwait(false);
            }

            clock.Set(now);
            if (!capturing && now >= captureAt)
            {
                capturing = true;
                foreach (var target in targets)
                {
                    monitor.StartBaselineCapture(target.Id);
                }
            }

            await monitor.TickAsync(cancellationToken).ConfigureAwait(false);
            var explained = monitor.ExplainLastTick()!.Triggers;
            for (var i = 0; i < explained.Count; i++)
            {
                points[i].Add(explained[i]);
            }

            if (judges.Any)
            {
                // At the same instant the condition triggers tick first, then the judges run.
                await judges.RunDueAsync(now, inclusive: true, cancellationToken).ConfigureAwait(false);
            }

            if (progress is not null && ((k + 1) % reportEvery == 0 || k + 1 == steps))
            {
                progress.Report(new BacktestProgress(BacktestPhase.Replaying, k + 1, steps));
            }
        }

        return new BacktestResult
        {
            From = request.From,
            To = last,
            Step = request.Step,
            Fires = dispatcher.Fires,
            Targets = BuildTargets(targets, triggers, compiled.Engine, points, judges, dispatcher.Fires, last),
            Errors = Distinct([.. histories, .. judges.Histories], static h => h.Errors),
            Warnings = Distinct([.. histories, .. judges.Histories], static h => h.Warnings),
        };
    }

    private static int CountSteps(BacktestRequest request)
    {
        if (request.Step <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The step must be greater than zero (was {request.Step}).", nameof(request));
        }

        if (request.To < request.From)
        {
            throw new ArgumentException($"The range ends ({request.To:O}) before it starts ({request.From:O}).", nameof(request));
        }

        var steps = ((request.To - request.From).Ticks / request.Step.Ticks) + 1;
        return steps <= MaxSteps
            ? (int)steps
            : throw new ArgumentException($"The range has {steps} steps of {request.Step}; at most {MaxSteps} are replayed at once.", nameof(request));
    }

    /// <summary>
    /// Fills <paramref name="history"/> from <paramref name="source"/>: a source that throws becomes an error at every step and
    /// target (naming the query, the source and the exception), and whatever the source did not answer becomes no data.
    /// </summary>
    internal static async Task FetchAsync(IMetricHistorySource source, MetricHistory history, CancellationToken cancellationToken)
    {
        try
        {
            await source.QueryRangeAsync(history, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failing history source is recorded as errors, as the monitor records a failing live source.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            history.SetErrorForAll(0, history.StepCount, $"query '{history.Query.Name}' failed in history source '{source.Name}': {ex.GetType().Name}: {ex.Message}");
        }

        history.SetNoDataForUnanswered();
    }

    private List<RollbackTarget> SelectTargets(IReadOnlyList<string>? ids)
    {
        if (ids is not { Count: > 0 })
        {
            return [.. catalog.Targets];
        }

        var selected = new List<RollbackTarget>(ids.Count);
        foreach (var id in ids)
        {
            if (!catalog.TryGet(id, out var target))
            {
                throw new ArgumentException($"Unknown target '{id}'; configured: {string.Join(", ", catalog.Targets.Select(static t => t.Id))}.", nameof(ids));
            }

            if (!selected.Contains(target))
            {
                selected.Add(target);
            }
        }

        return selected;
    }

    /// <summary>The history source for a query: the one named by its <c>Source</c>, or the only one.</summary>
    private IMetricHistorySource ResolveSource(MetricQueryDefinition query)
    {
        if (query.Source is null)
        {
            return _sources.Length == 1
                ? _sources[0]
                : throw new InvalidOperationException($"Query '{query.Name}' names no source and {_sources.Length} history sources are registered; name one with Source.");
        }

        foreach (var source in _sources)
        {
            if (string.Equals(source.Name, query.Source, StringComparison.OrdinalIgnoreCase))
            {
                return source;
            }
        }

        throw new InvalidOperationException($"Query '{query.Name}' names source '{query.Source}', which has no history source (registered: {string.Join(", ", _sources.Select(static s => s.Name))}).");
    }

    private static List<BacktestTarget> BuildTargets(List<RollbackTarget> targets, List<TriggerDefinition> triggers, EvaluationEngine engine, List<TriggerExplanation>[] points, JudgeReplay judges, List<BacktestFire> fires, DateTimeOffset last)
    {
        var result = new List<BacktestTarget>(targets.Count);
        for (var t = 0; t < targets.Count; t++)
        {
            var perTrigger = new BacktestTrigger[triggers.Count];
            for (var k = 0; k < triggers.Count; k++)
            {
                var trigger = triggers[k];
                perTrigger[k] = new BacktestTrigger
                {
                    Name = trigger.Name,
                    Condition = trigger.Condition,
                    For = trigger.For,
                    Values = [.. engine.GetReferencedValues(k).Select(v => engine.ValueNames[v])],
                    Points = points[(t * triggers.Count) + k],
                };
            }

            result.Add(new BacktestTarget { Id = targets[t].Id, Triggers = perTrigger, Judges = judges.Build(t, targets[t].Id, fires, last) });
        }

        return result;
    }

    private static List<string> Distinct(MetricHistory[] histories, Func<MetricHistory, IReadOnlyList<string>?> select)
    {
        var all = new List<string>();
        foreach (var history in histories)
        {
            foreach (var message in select(history) ?? [])
            {
                if (!all.Contains(message))
                {
                    all.Add(message);
                }
            }
        }

        return all;
    }
}
