using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net;
using System.Text.Json;
using System.Text;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace RollbackKit.Prometheus.Internal;

/// <summary>Why a query failed.</summary>
internal enum PrometheusErrorKind
{
    None = 0,

    /// <summary>The query is invalid (<c>bad_data</c>): a configuration error, never retried.</summary>
    BadData,

    /// <summary>Prometheus could not evaluate the query (<c>execution</c>, 422) or rejected the request (other 4xx).</summary>
    Rejected,

    /// <summary>The query timed out (in Prometheus or on our side).</summary>
    Timeout,

    /// <summary>Prometheus is unavailable (5xx, 429).</summary>
    Unavailable,

    /// <summary>Prometheus could not be reached (connection refused, reset, TLS failure).</summary>
    Transport,

    /// <summary>The response could not be parsed.</summary>
    Malformed,
}

/// <summary>The outcome of one query.</summary>
internal readonly record struct PrometheusQueryResult(
    PrometheusErrorKind ErrorKind,
    string? Error,
    PrometheusResultType ResultType,
    int SeriesCount,
    IReadOnlyList<string>? Warnings)
{
    public bool IsSuccess => ErrorKind == PrometheusErrorKind.None;
}

/// <summary>
/// Client of the Prometheus HTTP API (<c>/api/v1/query</c>, <c>/api/v1/query_range</c>) with POST form bodies,
/// retries with backoff for transient failures, a per-query timeout and a pooled response buffer.
/// </summary>
/// <remarks>
/// The retries stay this client's own Polly pipeline rather than an <c>AddResilienceHandler</c> on the named client,
/// because a handler would change what is retried and when: (1) an attempt here includes streaming the body into the
/// pooled buffer under <see cref="PrometheusOptions.MaxResponseBytes"/> (read with <c>ResponseHeadersRead</c>), so a
/// connection that drops mid-body is retried, while a handler only sees the headers and never retries a body failure;
/// (2) each retry is planned against the query's own deadline (<see cref="PlanRetry"/>: a retry only when its delay
/// leaves as much time again before the deadline), which a handler would have to rebuild from request options on a
/// context it creates itself; (3) each attempt logs its answer (event 2005) and a retry disposes the attempt's buffer,
/// per attempt rather than once per query. The pipeline waits on the same <see cref="TimeProvider"/> as the deadline.
/// </remarks>
internal sealed class PrometheusClient
{
    /// <summary>Name of the <see cref="IHttpClientFactory"/> client.</summary>
    public const string HttpClientName = "RollbackKit.Prometheus";

    private readonly Func<HttpClient> _httpClient;
    private readonly PrometheusOptions _options;
    private readonly TimeProvider _time;
    private readonly bool _waitsBetweenRetries;
    private readonly ILogger _logger;
    private readonly Uri _queryUri;
    private readonly Uri _queryRangeUri;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly ResiliencePipeline<Attempt> _pipeline;

    public PrometheusClient(Func<HttpClient> httpClient, PrometheusOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.BaseAddress);
        _httpClient = httpClient;
        _options = options;
        _time = time;
        _logger = logger;

        // Backoff is waited only on the system clock. Under any other clock (a FakeTimeProvider in tests) a retry follows at
        // once: a failing Prometheus fails the tick promptly even when nobody advances that clock.
        _waitsBetweenRetries = ReferenceEquals(time, TimeProvider.System);
        var baseText = options.BaseAddress.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        var baseUri = new Uri(baseText.EndsWith('/') ? baseText : baseText + "/", UriKind.Absolute);
        BaseAddressText = baseUri.GetLeftPart(UriPartial.Path);
        _queryUri = new Uri(baseUri, "api/v1/query");
        _queryRangeUri = new Uri(baseUri, "api/v1/query_range");
        if (!string.IsNullOrEmpty(options.BearerToken))
        {
            _authorization = new AuthenticationHeaderValue("Bearer", options.BearerToken);
        }
        else if (!string.IsNullOrEmpty(options.Username))
        {
            _authorization = new AuthenticationHeaderValue(
                "Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(options.Username + ":" + options.Password)));
        }

        var builder = new ResiliencePipelineBuilder<Attempt> { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<Attempt>
            {
                MaxRetryAttempts = options.MaxRetries,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome) && PlanRetry(args.Context, args.AttemptNumber)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(_waitsBetweenRetries ? args.Context.Properties.GetValue(NextDelayKey, TimeSpan.Zero) : TimeSpan.Zero),
                OnRetry = args =>
                {
                    var status = args.Outcome.Result is { } failed ? (int)failed.StatusCode : 0;
                    Log.Retrying(_logger, args.Outcome.Exception, args.AttemptNumber + 1, status);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        _pipeline = builder.Build();
    }

    private static readonly ResiliencePropertyKey<DateTimeOffset> DeadlineKey = new("rollbackkit.prometheus.deadline");
    private static readonly ResiliencePropertyKey<TimeSpan> NextDelayKey = new("rollbackkit.prometheus.next-delay");

    /// <summary>The base address without credentials or query, for messages.</summary>
    public string BaseAddressText { get; }

    /// <summary>Runs an instant query at <paramref name="time"/>.</summary>
    public ValueTask<PrometheusQueryResult> QueryAsync(
        string query, DateTimeOffset time, TimeSpan timeout, ReadOnlyMemory<byte> matchLabel, IPrometheusSampleSink sink, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>>(3)
        {
            new("query", query),
            new("time", FormatTime(time)),
            new("timeout", FormatTimeout(timeout)),
        };
        return ExecuteAsync(_queryUri, form, timeout, matchLabel, sink, cancellationToken);
    }

    /// <summary>Runs a range query from <paramref name="start"/> to <paramref name="end"/> every <paramref name="step"/>.</summary>
    public ValueTask<PrometheusQueryResult> QueryRangeAsync(
        string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, TimeSpan timeout, ReadOnlyMemory<byte> matchLabel, IPrometheusSampleSink sink, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>>(5)
        {
            new("query", query),
            new("start", FormatTime(start)),
            new("end", FormatTime(end)),
            new("step", step.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)),
            new("timeout", FormatTimeout(timeout)),
        };
        return ExecuteAsync(_queryRangeUri, form, timeout, matchLabel, sink, cancellationToken);
    }

    internal static string FormatTime(DateTimeOffset time) =>
        (time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    private static string FormatTimeout(TimeSpan timeout) =>
        ((long)Math.Max(1, timeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";

    /// <summary>One query, retries included, inside a <see cref="PrometheusInstrumentation.QuerySpanName"/> span (no span work without listeners).</summary>
    private async ValueTask<PrometheusQueryResult> ExecuteAsync(
        Uri uri, List<KeyValuePair<string, string>> form, TimeSpan timeout, ReadOnlyMemory<byte> matchLabel, IPrometheusSampleSink sink, CancellationToken cancellationToken)
    {
        using var activity = PrometheusInstrumentation.ActivitySource.StartActivity(PrometheusInstrumentation.QuerySpanName, ActivityKind.Client);
        if (activity is null)
        {
            return await ExecuteCoreAsync(uri, form, timeout, matchLabel, sink, cancellationToken).ConfigureAwait(false);
        }

        activity.SetTag(PrometheusInstrumentation.ApiTag, ReferenceEquals(uri, _queryRangeUri) ? "query_range" : "query");
        var result = await ExecuteCoreAsync(uri, form, timeout, matchLabel, sink, cancellationToken).ConfigureAwait(false);
        activity.SetTag(PrometheusInstrumentation.SeriesTag, result.SeriesCount);
        if (!result.IsSuccess)
        {
            activity.SetTag(PrometheusInstrumentation.ErrorKindTag, result.ErrorKind.ToString());
            activity.SetStatus(ActivityStatusCode.Error, result.ErrorKind.ToString());
        }

        return result;
    }

    private async ValueTask<PrometheusQueryResult> ExecuteCoreAsync(
        Uri uri, List<KeyValuePair<string, string>> form, TimeSpan timeout, ReadOnlyMemory<byte> matchLabel, IPrometheusSampleSink sink, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var timeoutCts = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        Attempt? attempt = null;
        var context = ResilienceContextPool.Shared.Get(linked.Token);
        context.Properties.Set(DeadlineKey, _time.GetUtcNow() + timeout);
        try
        {
            attempt = await _pipeline.ExecuteAsync(
                static (context, state) => state.Client.SendAsync(state.Uri, state.Form, context.CancellationToken),
                context,
                (Client: this, Uri: uri, Form: form)).ConfigureAwait(false);
            return Interpret(attempt, matchLabel.Span, sink);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return Failure(PrometheusErrorKind.Timeout, string.Create(CultureInfo.InvariantCulture, $"Prometheus at {BaseAddressText} did not answer within {timeout.TotalSeconds:0.###}s"));
        }
        catch (HttpRequestException ex)
        {
            return Failure(PrometheusErrorKind.Transport, $"cannot reach Prometheus at {BaseAddressText}: {ex.Message}");
        }
        catch (IOException ex)
        {
            return Failure(PrometheusErrorKind.Transport, $"connection to Prometheus at {BaseAddressText} failed: {ex.Message}");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
            attempt?.Dispose();
        }
    }

    private static bool IsTransient(Outcome<Attempt> outcome) => outcome switch
    {
        { Exception: HttpRequestException } => true,
        { Exception: IOException } => true,
        { Result: { } attempt } => attempt.IsRetryable,
        _ => false,
    };

    /// <summary>
    /// Draws the next retry's delay (exponential from <see cref="PrometheusOptions.RetryDelay"/>, ±25 % jitter) and
    /// allows the retry only when that delay leaves at least as much time again before the query's deadline: retries
    /// never stretch a query past its timeout, and a failing Prometheus fails the query promptly, on any clock.
    /// </summary>
    private bool PlanRetry(ResilienceContext context, int attemptNumber)
    {
        var delay = _options.RetryDelay * Math.Pow(2, Math.Min(attemptNumber, 16)) * (0.75 + (Random.Shared.NextDouble() * 0.5));
        var remaining = context.Properties.GetValue(DeadlineKey, DateTimeOffset.MinValue) - _time.GetUtcNow();
        if (delay + delay > remaining)
        {
            return false;
        }

        context.Properties.Set(NextDelayKey, delay);
        return true;
    }

    private PrometheusQueryResult Interpret(Attempt attempt, ReadOnlySpan<byte> matchLabel, IPrometheusSampleSink sink)
    {
        if (attempt.TooLarge)
        {
            return Failure(PrometheusErrorKind.Malformed, string.Create(CultureInfo.InvariantCulture, $"the response from Prometheus at {BaseAddressText} exceeds {_options.MaxResponseBytes} bytes"));
        }

        var body = attempt.Body;
        PrometheusResponseInfo info;
        var ok = attempt.StatusCode == HttpStatusCode.OK;
        try
        {
            info = PrometheusResponseParser.Parse(body, ok ? matchLabel : default, ok ? sink : NullSink.Instance);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            if (!ok)
            {
                return Failure(KindFor(attempt.StatusCode, null), string.Create(CultureInfo.InvariantCulture, $"Prometheus at {BaseAddressText} answered HTTP {(int)attempt.StatusCode} {attempt.StatusCode}"));
            }

            return Failure(PrometheusErrorKind.Malformed, $"malformed response from Prometheus at {BaseAddressText}: {ex.Message}");
        }

        if (info.Warnings is { Count: > 0 } warnings)
        {
            foreach (var warning in warnings)
            {
                Log.QueryWarning(_logger, warning);
            }
        }

        if (ok && info.IsSuccess)
        {
            return Unusable(info) is { } problem
                ? new PrometheusQueryResult(problem.Kind, problem.Message, info.ResultType, 0, info.Warnings)
                : new PrometheusQueryResult(PrometheusErrorKind.None, null, info.ResultType, info.SeriesCount, info.Warnings);
        }

        var kind = KindFor(attempt.StatusCode, info.ErrorType);
        var what = kind == PrometheusErrorKind.BadData ? "rejected the query as invalid" : "failed the query";
        return new PrometheusQueryResult(
            kind,
            string.Create(CultureInfo.InvariantCulture, $"Prometheus at {BaseAddressText} {what} (HTTP {(int)attempt.StatusCode}, {info.ErrorType ?? "unknown"}): {info.Error ?? "no message"}"),
            info.ResultType,
            0,
            info.Warnings);
    }

    /// <summary>
    /// Why a reply with status <c>success</c> still cannot be used, or <see langword="null"/>: counting it as no data
    /// would let a <c>NoData: Fail</c> trigger roll back on a reply nobody understood.
    /// </summary>
    private (PrometheusErrorKind Kind, string Message)? Unusable(in PrometheusResponseInfo info)
    {
        if (!info.HasData)
        {
            return (PrometheusErrorKind.Malformed, $"the reply from Prometheus at {BaseAddressText} has status \"success\" but no \"data\"");
        }

        if (!info.HasResult)
        {
            return (PrometheusErrorKind.Malformed, $"the reply from Prometheus at {BaseAddressText} has no \"result\" in its \"data\"");
        }

        if (info.UnknownResultType is { } type)
        {
            return (PrometheusErrorKind.Malformed, $"the reply from Prometheus at {BaseAddressText} has unknown resultType '{type}'");
        }

        if (info.HasHistograms)
        {
            return (PrometheusErrorKind.BadData,
                "the query returned native histogram samples, which a condition cannot compare; wrap it in histogram_quantile(...), histogram_count(...), histogram_sum(...) or histogram_fraction(...) to get a number");
        }

        return null;
    }

    private static PrometheusErrorKind KindFor(HttpStatusCode status, string? errorType) => errorType switch
    {
        "bad_data" => PrometheusErrorKind.BadData,
        "timeout" or "canceled" => PrometheusErrorKind.Timeout,
        "unavailable" or "internal" => PrometheusErrorKind.Unavailable,
        "execution" or "not_found" or "not_acceptable" => PrometheusErrorKind.Rejected,
        _ => (int)status switch
        {
            400 => PrometheusErrorKind.BadData,
            429 or >= 500 => PrometheusErrorKind.Unavailable,
            _ => PrometheusErrorKind.Rejected,
        },
    };

    private static PrometheusQueryResult Failure(PrometheusErrorKind kind, string message) => new(kind, message, PrometheusResultType.None, 0, null);

    private async ValueTask<Attempt> SendAsync(Uri uri, List<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new FormUrlEncodedContent(form),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_authorization is not null)
        {
            request.Headers.Authorization = _authorization;
        }

        foreach (var header in _options.Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        var client = _httpClient();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        Log.RequestAnswered(_logger, ReferenceEquals(uri, _queryRangeUri) ? "query_range" : "query", (int)response.StatusCode);
        var attempt = new Attempt(response.StatusCode);
        try
        {
            var length = response.Content.Headers.ContentLength;
            if (length > _options.MaxResponseBytes)
            {
                attempt.TooLarge = true;
                return attempt;
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await attempt.ReadAsync(stream, (int)(length ?? 16 * 1024), _options.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            }

            return attempt;
        }
        catch
        {
            attempt.Dispose();
            throw;
        }
    }

    /// <summary>One HTTP exchange: status and the body in a pooled buffer.</summary>
    private sealed class Attempt(HttpStatusCode statusCode) : IDisposable
    {
        private byte[]? _buffer;
        private int _length;

        public HttpStatusCode StatusCode { get; } = statusCode;

        public bool TooLarge { get; set; }

        public ReadOnlySpan<byte> Body => _buffer is null ? default : _buffer.AsSpan(0, _length);

        public bool IsRetryable => (int)StatusCode is 429 or >= 500;

        public async ValueTask ReadAsync(Stream stream, int sizeHint, int maxBytes, CancellationToken cancellationToken)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Clamp(sizeHint + 1, 4096, maxBytes + 1));
            while (true)
            {
                if (_length == _buffer.Length)
                {
                    if (_buffer.Length > maxBytes)
                    {
                        TooLarge = true;
                        return;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, maxBytes + 1));
                    _buffer.AsSpan(0, _length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = bigger;
                }

                var read = await stream.ReadAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                _length += read;
                if (_length > maxBytes)
                {
                    TooLarge = true;
                    return;
                }
            }
        }

        public void Dispose()
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }
    }

    private sealed class NullSink : IPrometheusSampleSink
    {
        public static readonly NullSink Instance = new();

        public void OnSample(int seriesIndex, ReadOnlySpan<byte> label, bool hasLabel, double timestamp, double value)
        {
        }
    }
}
