using Polly;
using Polly.Retry;

namespace RollbackKit.Slack.Internal;

/// <summary>
/// The retry of one Slack message as a Polly pipeline: up to <see cref="SlackOptions.MaxAttempts"/> attempts, retrying
/// 429 / <c>ratelimited</c> and transient failures (5xx, timeouts, network errors) but never a rejection. Each attempt
/// records when the channel may be used again (<see cref="RetryDelayKey"/>: <c>Retry-After</c> cut to
/// <see cref="SlackOptions.MaxRetryAfter"/>, or 1 s, 2 s, 4 s … for transient failures, never below
/// <see cref="SlackOptions.MinimumMessageInterval"/>) and the pipeline waits exactly that long on the
/// <see cref="TimeProvider"/> before the next attempt.
/// </summary>
/// <remarks>
/// Not a resilience handler on the named client: a handler resends the same request, whereas a message post decides
/// between attempts (the message is rebuilt, the wait is the channel's pacing as well as the backoff, a Slack-level
/// <c>ratelimited</c> in a 200 body is retried and an <c>ok:false</c> rejection is not), and webhook or
/// <c>response_url</c> POSTs are not idempotent. GET lookups have no handler either: an approver-group lookup runs
/// while an interaction waits for its answer, and retry waits on the registered clock would hold that answer.
/// </remarks>
internal static class SlackRetryPipeline
{
    /// <summary>The context property an attempt sets to the wait before the next attempt.</summary>
    public static readonly ResiliencePropertyKey<TimeSpan> RetryDelayKey = new("rollbackkit.slack.retry-delay");

    public static ResiliencePipeline<SlackCallResult> Build(SlackOptions options, TimeProvider timeProvider)
    {
        var attempts = Math.Max(1, options.MaxAttempts);
        if (attempts == 1)
        {
            return ResiliencePipeline<SlackCallResult>.Empty;
        }

        return new ResiliencePipelineBuilder<SlackCallResult> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<SlackCallResult>
            {
                MaxRetryAttempts = attempts - 1,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result.Status is SlackCallStatus.RateLimited or SlackCallStatus.Transient),
                DelayGenerator = static args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(RetryDelayKey, TimeSpan.Zero)),
                BackoffType = DelayBackoffType.Constant,
                Delay = TimeSpan.Zero,
                UseJitter = false,
            })
            .Build();
    }

    /// <summary>How long to wait after an attempt before the channel may be used again (at least the message interval).</summary>
    /// <param name="result">The attempt's result.</param>
    /// <param name="attempt">The attempt's number, 1 for the first.</param>
    /// <param name="options">The options in force.</param>
    public static TimeSpan DelayAfter(in SlackCallResult result, int attempt, SlackOptions options)
    {
        var wait = result.Status switch
        {
            SlackCallStatus.RateLimited => RetryAfter(result, options),
            SlackCallStatus.Transient => TimeSpan.FromSeconds(Math.Pow(2, Math.Min(attempt - 1, 16))),
            _ => TimeSpan.Zero,
        };
        return wait > options.MinimumMessageInterval ? wait : options.MinimumMessageInterval;
    }

    /// <summary>The <c>Retry-After</c> honoured: Slack's value cut to <see cref="SlackOptions.MaxRetryAfter"/>, or the message interval when Slack sent none.</summary>
    public static TimeSpan RetryAfter(in SlackCallResult result, SlackOptions options)
    {
        var retryAfter = result.RetryAfter ?? options.MinimumMessageInterval;
        return retryAfter > options.MaxRetryAfter ? options.MaxRetryAfter : retryAfter;
    }
}
