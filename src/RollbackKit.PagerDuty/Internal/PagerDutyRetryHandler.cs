using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using RollbackKit.Internal;

namespace RollbackKit.PagerDuty.Internal;

/// <summary>
/// The resilience handler of the PagerDuty named client: retries 429, 5xx, transport errors and attempt timeouts
/// (<see cref="PagerDutyOptions.MaxRetryAttempts"/>, exponential backoff with jitter from <see cref="PagerDutyOptions.RetryDelay"/>
/// capped at one minute, a <c>Retry-After</c> of at most one minute wins), each attempt bounded by
/// <see cref="PagerDutyOptions.RequestTimeout"/>, all on the system clock (see <see cref="ResilienceHandlerSetup"/>).
/// Retrying the POST is safe: the Events API deduplicates on <c>dedup_key</c>.
/// </summary>
internal static class PagerDutyRetryHandler
{
    public const string PipelineName = "retry";

    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context)
    {
        ResilienceHandlerSetup.Apply(builder, context);
        context.EnableReloads<PagerDutyOptions>();
        var o = context.GetOptions<PagerDutyOptions>();
        var logger = context.ServiceProvider.GetRequiredService<ILogger<PagerDutyNotifier>>();
        builder
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(0, o.MaxRetryAttempts),
                Delay = o.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                MaxDelay = MaxDelay,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome switch
                {
                    { Result: { } r } => r.StatusCode == HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500,
                    { Exception: HttpRequestException } => true,
                    { Exception: TimeoutRejectedException } => true,
                    _ => false,
                }),
                DelayGenerator = static args =>
                    ValueTask.FromResult(args.Outcome.Result?.Headers.RetryAfter?.Delta is { } delta && delta <= MaxDelay ? delta : (TimeSpan?)null),
                OnRetry = args =>
                {
                    Log.PagerDutyRetrying(logger, args.AttemptNumber + 1, (int?)args.Outcome.Result?.StatusCode ?? 0, args.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(o.RequestTimeout);
    }
}
