using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Judging;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Backtesting.Internal;

/// <summary>
/// Replays the judge triggers through the live <see cref="JudgeMonitor"/>: at the backtest's start and every judge's
/// interval after it, on the replayed clock, the monitor range-queries the judge's window (answered by
/// <see cref="JudgeHistorySource"/>s from history fetched once), judges every target and sends a judgement that turned to
/// fail to the what-if dispatcher, exactly as it would live. Records every judgement per judge and target. A disabled judge
/// trigger (<c>Enabled: false</c>) judges nothing; it is reported with a disabled point at each instant it would have judged.
/// </summary>
internal sealed class JudgeReplay : IDisposable
{
    private readonly JudgeMonitor _monitor;
    private readonly IReadOnlyList<JudgeTrigger> _judges;
    private readonly ReplayClock _clock;
    private readonly DateTimeOffset[] _due;
    private readonly List<BacktestJudgePoint>[] _points;
    private readonly JudgeHistorySource[] _sources;
    private readonly int _targets;
    private readonly DateTimeOffset _from;

    /// <summary>Every judge trigger in configuration order, with its index in <see cref="_judges"/> (-1 when disabled).</summary>
    private readonly List<(TriggerDefinition Trigger, int Enabled)> _configured = [];

    private JudgeReplay(JudgeMonitor monitor, JudgeHistorySource[] sources, ReplayClock clock, DateTimeOffset from, int targets, List<TriggerDefinition> triggers)
    {
        _monitor = monitor;
        _judges = monitor.Judges;
        _from = from;
        foreach (var trigger in triggers)
        {
            if (trigger?.Judge is not null)
            {
                var enabled = -1;
                for (var j = 0; j < _judges.Count; j++)
                {
                    enabled = ReferenceEquals(_judges[j].Trigger, trigger) ? j : enabled;
                }

                _configured.Add((trigger, enabled));
            }
        }

        _sources = sources;
        _clock = clock;
        _targets = targets;
        _due = new DateTimeOffset[_judges.Count];
        Array.Fill(_due, from);
        _points = new List<BacktestJudgePoint>[_judges.Count * targets];
        for (var i = 0; i < _points.Length; i++)
        {
            _points[i] = [];
        }
    }

    /// <summary>The number of range queries fetched up front (canary and baseline per metric per judge).</summary>
    public int QueryCount => _judges.Sum(static j => j.Canary.Length * 2);

    /// <summary>Whether any judge trigger is configured and enabled.</summary>
    public bool Any => _judges.Count > 0;

    /// <summary>The histories fetched up front, for their errors and warnings.</summary>
    public IEnumerable<MetricHistory> Histories => _sources.SelectMany(static s => s.Fetched);

    /// <summary>
    /// Builds the live judge monitor over the backtest's targets, its history sources wrapped, the replayed clock and the
    /// what-if dispatcher.
    /// </summary>
    /// <exception cref="InvalidOperationException">A judge metric names a source that has no history source.</exception>
    public static JudgeReplay Create(
        RollbackKitOptions options,
        IReadOnlyList<RollbackTarget> targets,
        IMetricHistorySource[] sources,
        ReplayClock clock,
        IRollbackDispatcher dispatcher,
        DateTimeOffset from)
    {
        var wrapped = Array.ConvertAll(sources, static s => new JudgeHistorySource(s));
        var monitor = new JudgeMonitor(Options.Create(options), new TargetCatalog(targets), wrapped, clock, dispatcher, NullLogger<JudgeMonitor>.Instance);
        try
        {
            return new JudgeReplay(monitor, wrapped, clock, from, targets.Count, options.Triggers);
        }
        catch
        {
            monitor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fetches, per judge and metric, the canary's and the baseline's history over every window the replay will judge: from
    /// the first judgement's window start to the last judgement, at the judge's step.
    /// </summary>
    public async Task FetchAsync(IReadOnlyList<RollbackTarget> targets, DateTimeOffset from, DateTimeOffset to, Action<int> fetched, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var judge in _judges)
        {
            var definition = judge.Definition;
            var firstEnd = Truncate(from);
            var judgements = (to - from).Ticks / definition.Interval.Ticks;
            var lastEnd = Truncate(from + (definition.Interval * judgements));
            var windowSteps = (definition.Window.Ticks / definition.Step.Ticks) + 1;
            var start = firstEnd - (definition.Step * (windowSteps - 1));
            var steps = ((lastEnd - start).Ticks / definition.Step.Ticks) + 1;
            var onGrid = definition.Interval.Ticks % definition.Step.Ticks == 0 && (lastEnd - start).Ticks % definition.Step.Ticks == 0;
            for (var m = 0; m < judge.Canary.Length; m++)
            {
                var source = (JudgeHistorySource)judge.Sources[m];
                foreach (var query in new[] { judge.Canary[m], judge.Baseline[m] })
                {
                    // Off the grid, every window is queried from the real source when it is judged, as live.
                    if (onGrid && steps <= Backtester.MaxSteps)
                    {
                        await source.FetchAsync(new MetricHistory(query, targets, start, definition.Step, (int)steps), cancellationToken).ConfigureAwait(false);
                    }

                    fetched(++count);
                }
            }
        }
    }

    /// <summary>
    /// Runs, in time order, every judgement due before <paramref name="now"/> (or at it, when <paramref name="inclusive"/>),
    /// each with the replayed clock at its own instant; judgements due at the same instant run in configuration order.
    /// </summary>
    public async Task RunDueAsync(DateTimeOffset now, bool inclusive, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = -1;
            for (var j = 0; j < _due.Length; j++)
            {
                if ((_due[j] < now || (inclusive && _due[j] == now)) && (next < 0 || _due[j] < _due[next]))
                {
                    next = j;
                }
            }

            if (next < 0)
            {
                return;
            }

            var at = _due[next];
            _clock.Set(at);
            var judge = _judges[next];
            var reports = await _monitor.JudgeAsync(judge, cancellationToken).ConfigureAwait(false);
            for (var t = 0; t < reports.Count; t++)
            {
                _points[(next * _targets) + t].Add(Point(judge, reports[t], at));
            }

            _due[next] = at + judge.Definition.Interval;
        }
    }

    /// <summary>One target's judges in configuration order, with the fires the what-if dispatcher recorded for them.</summary>
    /// <param name="targetIndex">The target's index among the replayed targets.</param>
    /// <param name="targetId">The target's id.</param>
    /// <param name="fires">Every fire of the backtest.</param>
    /// <param name="to">The last replayed instant (a disabled judge's last point is its last interval not after it).</param>
    public List<BacktestJudge> Build(int targetIndex, string targetId, List<BacktestFire> fires, DateTimeOffset to)
    {
        var result = new List<BacktestJudge>(_configured.Count);
        foreach (var (trigger, j) in _configured)
        {
            if (j < 0)
            {
                result.Add(Disabled(trigger, trigger.Judge!, to));
                continue;
            }

            var judge = _judges[j];
            var definition = judge.Definition;
            result.Add(new BacktestJudge
            {
                Name = judge.Trigger.Name,
                Metrics = judge.Judge.MetricNames,
                Window = definition.Window,
                Step = definition.Step,
                Interval = definition.Interval,
                PassScore = definition.PassScore,
                MarginalScore = definition.MarginalScore,
                Points = _points[(j * _targets) + targetIndex],
                Fires = fires.FindAll(f => string.Equals(f.Target, targetId, StringComparison.Ordinal) && string.Equals(f.Trigger, judge.Trigger.Name, StringComparison.Ordinal)),
            });
        }

        return result;
    }

    public void Dispose() => _monitor.Dispose();

    /// <summary>A disabled judge trigger: its settings and a disabled point at each instant it would have judged (none judged, none fired).</summary>
    private BacktestJudge Disabled(TriggerDefinition trigger, JudgeDefinition definition, DateTimeOffset to)
    {
        var points = new List<BacktestJudgePoint>();
        for (var at = _from; definition.Interval > TimeSpan.Zero && at <= to; at += definition.Interval)
        {
            points.Add(new BacktestJudgePoint { At = at, Score = double.NaN, FailedMetrics = [], Metrics = [], Disabled = true });
        }

        return new BacktestJudge
        {
            Name = trigger.Name,
            Metrics = [.. definition.Metrics.Select(static m => m.Name)],
            Window = definition.Window,
            Step = definition.Step,
            Interval = definition.Interval,
            PassScore = definition.PassScore,
            MarginalScore = definition.MarginalScore,
            Points = points,
            Fires = [],
        };
    }

    private static BacktestJudgePoint Point(JudgeTrigger judge, JudgeReport report, DateTimeOffset at)
    {
        var failed = new List<string>();
        for (var m = 0; m < report.Metrics.Length; m++)
        {
            if (report.Metrics[m].Outcome == MetricOutcome.Fail)
            {
                failed.Add(judge.Judge.MetricNames[m]);
            }
        }

        return new BacktestJudgePoint
        {
            At = at,
            Classification = report.Score?.Classification,
            Score = report.Score?.Score ?? double.NaN,
            FailedMetrics = failed,
            Metrics = report.Metrics,
            Error = report.Error,
            Fired = report.Dispatch is not null,
        };
    }

    /// <summary>The end of a judgement's window, as the judge computes it (whole milliseconds).</summary>
    private static DateTimeOffset Truncate(DateTimeOffset now) =>
        new(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
