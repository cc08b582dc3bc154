using RollbackKit.Metrics;
namespace RollbackKit.Backtesting;

/// <summary>
/// Replays the configured targets, queries, triggers and baselines over history: what would they have done? Runs the
/// monitor's own code (the compiled engine, trigger timers, no-data and error policies, dry run, captured baselines)
/// tick by tick on a replayed clock, fed from <see cref="IMetricHistorySource"/>s instead of live sources, and asks the
/// dispatcher's admission rules (severity, cooldown, attempts, kill switch, point of no return) what they would have
/// decided for every fire. Judge triggers (<c>Triggers:N:Judge</c>) are run by the live judge monitor on the same clock
/// and dispatcher: a judgement at <see cref="BacktestRequest.From"/> and every judge interval after it, over the window it
/// would have read. Nothing is dispatched, journaled or notified.
/// Registered by <c>services.AddRollbackKit(...).AddBacktesting()</c>.
/// </summary>
public interface IBacktester
{
    /// <summary>Fetches the history of every query over the request's range, then replays it step by step.</summary>
    /// <param name="request">The range, the step and the targets.</param>
    /// <param name="progress">Receives progress: queries fetched, then steps replayed. Optional.</param>
    /// <param name="cancellationToken">Cancels the backtest.</param>
    /// <returns>Every fire with its decision, every step's explanation per target × trigger, and every judgement per target × judge trigger.</returns>
    /// <exception cref="ArgumentException">The range or step is invalid, or a target id is unknown.</exception>
    /// <exception cref="InvalidOperationException">A query or a judge metric names a source that has no history source.</exception>
    Task<BacktestResult> RunAsync(BacktestRequest request, IProgress<BacktestProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>What to replay.</summary>
public sealed record BacktestRequest
{
    /// <summary>The first evaluation instant.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>The last instant that may be evaluated (the last step is the last <c>From + k × Step</c> not after it).</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>The time between evaluations (the monitor's evaluation interval). Default: 15 seconds.</summary>
    public TimeSpan Step { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Only these target ids (in this order); <see langword="null"/> or empty for every configured target.</summary>
    public IReadOnlyList<string>? Targets { get; init; }

    /// <summary>
    /// When captured baselines start capturing, for every target (as after a healthy deploy). Default:
    /// <see langword="null"/>, at <see cref="From"/>: baselines are available one capture window into the range.
    /// </summary>
    public DateTimeOffset? BaselineCaptureAt { get; init; }

    /// <summary>
    /// How long a rollback the dispatcher would have started is assumed to run: requests for the target within it join it,
    /// and its cooldown starts when it ends. Default: zero (it ends when it starts).
    /// </summary>
    public TimeSpan AssumedRollbackDuration { get; init; }
}

/// <summary>The stage a backtest is in.</summary>
public enum BacktestPhase
{
    /// <summary>Fetching the history of each query from its source.</summary>
    Fetching = 0,

    /// <summary>Replaying the steps through the monitor.</summary>
    Replaying = 1,
}

/// <summary>How far a backtest has come.</summary>
/// <param name="Phase">The stage.</param>
/// <param name="Completed">Queries fetched, or steps replayed, so far.</param>
/// <param name="Total">Queries to fetch (a judge metric counts two: canary and baseline), or steps to replay.</param>
public readonly record struct BacktestProgress(BacktestPhase Phase, int Completed, int Total);
