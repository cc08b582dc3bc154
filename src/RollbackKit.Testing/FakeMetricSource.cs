using System.Collections.Concurrent;
using RollbackKit.Metrics;

namespace RollbackKit.Testing;

/// <summary>
/// A metric source scripted per query: constant values, timelines over (fake) time with gaps and errors, or a function.
/// Times in timelines are offsets from <see cref="Start"/>; the value at a time is the last step at or before it.
/// </summary>
/// <example>
/// <code>
/// var source = new FakeMetricSource(time)
///     .Set("baseline_error_rate", 0.01)
///     .Script("canary_error_rate", (TimeSpan.Zero, 0.01), (TimeSpan.FromMinutes(2), 0.2));
/// </code>
/// </example>
public sealed class FakeMetricSource : IMetricSource
{
    private readonly ConcurrentDictionary<(string Query, string? Target), Func<RollbackTarget, DateTimeOffset, FakeMetricValue>> _scripts = new();
    private int _queryCount;

    /// <summary>Creates a source named <paramref name="name"/> whose timelines start at <paramref name="start"/>.</summary>
    /// <param name="timeProvider">The clock that defines <see cref="Start"/> when <paramref name="start"/> is not given. Default: system time.</param>
    /// <param name="name">The source name queries refer to. Default: <c>fake</c>.</param>
    /// <param name="start">The time timeline offsets count from. Default: now on <paramref name="timeProvider"/>.</param>
    public FakeMetricSource(TimeProvider? timeProvider = null, string name = "fake", DateTimeOffset? start = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Start = start ?? (timeProvider ?? TimeProvider.System).GetUtcNow();
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The time timeline offsets count from.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>How many query batches were answered.</summary>
    public int QueryCount => Volatile.Read(ref _queryCount);

    /// <summary>Answers <paramref name="query"/> with a constant value (for every target, or one).</summary>
    /// <param name="query">The query name.</param>
    /// <param name="value">The value, <see cref="FakeMetricValue.NoData"/> or <see cref="FakeMetricValue.Failure"/>.</param>
    /// <param name="targetId">Only for this target; default: every target without a specific script.</param>
    /// <returns>This source.</returns>
    public FakeMetricSource Set(string query, FakeMetricValue value, string? targetId = null)
        => Use(query, (_, _) => value, targetId);

    /// <summary>Answers <paramref name="query"/> from a timeline of (offset from <see cref="Start"/>, value) steps.</summary>
    /// <param name="query">The query name.</param>
    /// <param name="steps">Steps in any order; before the first step there is no data.</param>
    /// <returns>This source.</returns>
    public FakeMetricSource Script(string query, params (TimeSpan At, FakeMetricValue Value)[] steps)
        => ScriptFor(query, null, steps);

    /// <summary>Answers <paramref name="query"/> for one target from a timeline of steps.</summary>
    /// <param name="query">The query name.</param>
    /// <param name="targetId">The target, or <see langword="null"/> for every target without a specific script.</param>
    /// <param name="steps">Steps in any order; before the first step there is no data.</param>
    /// <returns>This source.</returns>
    public FakeMetricSource ScriptFor(string query, string? targetId, params (TimeSpan At, FakeMetricValue Value)[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var ordered = steps.OrderBy(static s => s.At).ToArray();
        return Use(query, (_, time) =>
        {
            var offset = time - Start;
            var result = FakeMetricValue.NoData;
            foreach (var step in ordered)
            {
                if (step.At > offset)
                {
                    break;
                }

                result = step.Value;
            }

            return result;
        }, targetId);
    }

    /// <summary>Answers <paramref name="query"/> with a function of target and evaluation time.</summary>
    /// <param name="query">The query name.</param>
    /// <param name="function">Returns the answer.</param>
    /// <param name="targetId">Only for this target; default: every target without a specific script.</param>
    /// <returns>This source.</returns>
    public FakeMetricSource Use(string query, Func<RollbackTarget, DateTimeOffset, FakeMetricValue> function, string? targetId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentNullException.ThrowIfNull(function);
        _scripts[(query, targetId)] = function;
        return this;
    }

    /// <inheritdoc />
    public ValueTask QueryAsync(MetricQueryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _queryCount);
        for (var i = 0; i < batch.Targets.Count; i++)
        {
            var target = batch.Targets[i];
            if (!_scripts.TryGetValue((batch.Query.Name, target.Id), out var script)
                && !_scripts.TryGetValue((batch.Query.Name, null), out script))
            {
                batch.SetNoData(i);
                continue;
            }

            var answer = script(target, batch.Time);
            switch (answer.Status)
            {
                case MetricSampleStatus.Value:
                    batch.SetValue(i, answer.Value);
                    break;
                case MetricSampleStatus.Error:
                    batch.SetError(i, answer.Error ?? "fake source error");
                    break;
                default:
                    batch.SetNoData(i);
                    break;
            }
        }

        return ValueTask.CompletedTask;
    }
}
