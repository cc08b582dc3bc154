using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using RollbackKit.Internal;

namespace RollbackKit.Slack.Internal;

/// <summary>
/// The resilience handler of the Slack named client. It retries idempotent <c>GET</c> lookups only (for example
/// <c>usergroups.users.list</c> for approver groups): up to <see cref="SlackOptions.MaxAttempts"/> attempts on 429, 408,
/// 5xx and transport errors, waiting <c>Retry-After</c> (cut to <see cref="SlackOptions.MaxRetryAfter"/>) or 1 s, 2 s, 4 s …
/// on the registered <see cref="TimeProvider"/>; the caller's <see cref="SlackOptions.RequestTimeout"/> still bounds the
/// whole lookup. Every other request passes through untouched: message posts keep <see cref="SlackRetryPipeline"/>,
/// which rebuilds the message and paces the channel between attempts, and a <c>response_url</c> or webhook POST is not
/// idempotent.
/// </summary>
internal static class SlackLookupRetryHandler
{
    public const string PipelineName = "lookup-retry";

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context)
    {
        ResilienceHandlerSetup.Apply(builder, context);
        context.EnableReloads<SlackOptions>();
        var o = context.GetOptions<SlackOptions>();
        var attempts = Math.Max(1, o.MaxAttempts);
        if (attempts == 1)
        {
            return;
        }

        var maxRetryAfter = o.MaxRetryAfter;
        var timeProvider = builder.TimeProvider ?? TimeProvider.System;
        var logger = context.ServiceProvider.GetRequiredService<ILogger<SlackApiClient>>();
        builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = attempts - 1,
            ShouldHandle = static args => ValueTask.FromResult(
                args.Context.GetRequestMessage()?.Method == HttpMethod.Get && args.Outcome switch
                {
                    { Result: { } r } => r.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)r.StatusCode >= 500,
                    { Exception: HttpRequestException } => true,
                    _ => false,
                }),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Delay(args.Outcome.Result, args.AttemptNumber, maxRetryAfter, timeProvider)),
            OnRetry = args =>
            {
                var status = args.Outcome.Result is { } r
                    ? "HTTP " + ((int)r.StatusCode).ToString(CultureInfo.InvariantCulture)
                    : args.Outcome.Exception?.GetType().Name ?? "error";
                var operation = args.Context.GetRequestMessage()?.RequestUri?.Segments[^1] ?? "request";
                Log.SlackLookupRetrying(logger, operation, args.AttemptNumber + 1, status, args.RetryDelay.TotalSeconds);
                return ValueTask.CompletedTask;
            },
        });
    }

    /// <summary>The wait before the next attempt: <c>Retry-After</c> on 429 (cut to the maximum), else 1 s doubling per retry.</summary>
    internal static TimeSpan Delay(HttpResponseMessage? response, int attemptNumber, TimeSpan maxRetryAfter, TimeProvider timeProvider)
    {
        if (response?.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.RetryAfter is { } header)
        {
            var wait = header.Delta ?? (header.Date is { } date ? date - timeProvider.GetUtcNow() : TimeSpan.Zero);
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > maxRetryAfter ? maxRetryAfter : wait;
        }

        return TimeSpan.FromSeconds(Math.Pow(2, Math.Min(attemptNumber, 16)));
    }
}
