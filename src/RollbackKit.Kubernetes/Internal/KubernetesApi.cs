using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace RollbackKit.Kubernetes.Internal;

/// <summary>What an API call does, for error messages and RBAC hints.</summary>
internal readonly record struct ApiCall(string Verb, string Resource, string Group, string? Namespace, string? Name = null)
{
    public string Describe() => $"{Verb} {Resource}{(Name is null ? "" : "/" + Name)}{(Namespace is null ? "" : $" in namespace '{Namespace}'")}";

    public string GroupLabel => Group.Length == 0 ? "core" : Group;
}

/// <summary>A failed Kubernetes API call, with whether retrying may help.</summary>
internal sealed class KubernetesApiException(int statusCode, string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;

    public bool Transient { get; } = transient;
}

/// <summary>The Kubernetes client plus timeouts, retries (5xx, 429, timeouts) and conflict handling.</summary>
internal sealed class KubernetesApi : IDisposable
{
    private readonly Lazy<IKubernetes> _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly ResiliencePipeline _conflictPipeline;

    internal KubernetesApi(KubernetesOptions options, TimeProvider time, ILogger logger, IKubernetes? client)
    {
        Options = options;
        _time = time;
        _logger = logger;
        _client = client is null ? new Lazy<IKubernetes>(() => Create(options)) : new Lazy<IKubernetes>(client);
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<KubernetesApiException>(e => e.Transient),
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    Log.Retrying(_logger, args.AttemptNumber + 1, args.Outcome.Exception?.Message ?? "");
                    return default;
                },
            })
            .Build();
        if (options.MaxRetries <= 0)
        {
            _pipeline = ResiliencePipeline.Empty;
        }

        _conflictPipeline = ConflictPipeline(options.ConflictRetries, time, logger);
    }

    public KubernetesOptions Options { get; }

    public IKubernetes Client => _client.Value;

    public TimeProvider Time => _time;

    public ILogger Logger => _logger;

    private static k8s.Kubernetes Create(KubernetesOptions options) => new(BuildConfiguration(options));

    /// <summary>The client configuration the options select (kubeconfig, in-cluster or an explicit server).</summary>
    internal static KubernetesClientConfiguration BuildConfiguration(KubernetesOptions options)
    {
        KubernetesClientConfiguration config;
        if (options.Server is not null && options.KubeconfigPath is null)
        {
            config = new KubernetesClientConfiguration { Host = options.Server.ToString() };
        }
        else if (options.KubeconfigPath is not null)
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(options.KubeconfigPath, options.Context);
        }
        else if (KubernetesClientConfiguration.IsInCluster())
        {
            config = KubernetesClientConfiguration.InClusterConfig();
        }
        else
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(currentContext: options.Context);
        }

        if (options.Server is not null)
        {
            config.Host = options.Server.ToString();
        }

        config.HttpClientTimeout = options.RequestTimeout + options.RequestTimeout;
        return config;
    }

    /// <summary>Runs one API call with a per-attempt timeout and retries of transient failures.</summary>
    /// <remarks>Each call (retries included) is one <see cref="KubernetesTelemetry.RequestSpanName"/> span.</remarks>
    public async Task<T> CallAsync<T>(ApiCall call, Func<IKubernetes, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        using var activity = KubernetesTelemetry.ActivitySource.StartActivity(KubernetesTelemetry.RequestSpanName, ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag(KubernetesTelemetry.VerbTag, call.Verb);
            activity.SetTag(KubernetesTelemetry.ResourceTag, call.Resource);
            activity.SetTag(KubernetesTelemetry.GroupTag, call.GroupLabel);
            activity.SetTag(KubernetesTelemetry.NamespaceTag, call.Namespace);
            activity.SetTag(KubernetesTelemetry.NameTag, call.Name);
        }

        try
        {
            return await _pipeline.ExecuteAsync(
                async ct => await AttemptAsync(call, action, ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException ex) when (activity is not null)
        {
            activity.SetTag(KubernetesTelemetry.StatusCodeTag, ex.StatusCode);
            activity.SetStatus(ActivityStatusCode.Error, ex.StatusCode == 0 ? "no response" : "HTTP " + ex.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            throw;
        }
    }

    private async Task<T> AttemptAsync<T>(ApiCall call, Func<IKubernetes, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await action(Client, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KubernetesApiException(0, $"{call.Describe()} timed out after {Options.RequestTimeout.TotalSeconds:0.###} s", transient: true, ex);
        }
        catch (HttpOperationException ex)
        {
            throw Translate(call, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new KubernetesApiException(0, $"{call.Describe()} failed: {ex.Message}", transient: true, ex);
        }
    }

    internal static KubernetesApiException Translate(ApiCall call, HttpOperationException ex)
    {
        var code = (int)ex.Response.StatusCode;
        var serverMessage = ServerMessage(ex.Response.Content);
        return code switch
        {
            (int)HttpStatusCode.Forbidden => new KubernetesApiException(code,
                $"forbidden: needs '{call.Verb}' on '{call.Resource}' ({call.GroupLabel}) {(call.Namespace is null ? "at cluster scope" : $"in namespace '{call.Namespace}'")}: {serverMessage}", transient: false, ex),
            (int)HttpStatusCode.Unauthorized => new KubernetesApiException(code, $"unauthorized: {call.Describe()} was rejected; check the credentials", transient: false, ex),
            (int)HttpStatusCode.NotFound => new KubernetesApiException(code, $"{call.Resource}{(call.Group.Length == 0 ? "" : "." + call.Group)} \"{call.Name}\" not found{(call.Namespace is null ? "" : $" in namespace '{call.Namespace}'")}", transient: false, ex),
            (int)HttpStatusCode.Conflict => new KubernetesApiException(code, $"conflict on {call.Describe()}: {serverMessage}", transient: false, ex),
            429 or >= 500 => new KubernetesApiException(code, $"{call.Describe()} failed with {code}: {serverMessage}", transient: true, ex),
            _ => new KubernetesApiException(code, $"{call.Describe()} failed with {code}: {serverMessage}", transient: false, ex),
        };
    }

    private static string ServerMessage(string? content)
    {
        if (string.IsNullOrEmpty(content))
        {
            return "(no message)";
        }

        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(content);
            if (doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var m))
            {
                return m.GetString() ?? content;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a Status object.
        }

        return content.Length > 300 ? content[..300] : content;
    }

    /// <summary>
    /// Redoes a read-modify-write at once when it hits a 409 Conflict, up to <see cref="KubernetesOptions.ConflictRetries"/>
    /// times (a <see cref="ConflictPipeline"/>); then fails with a 409 <see cref="KubernetesApiException"/> that says how
    /// many conflicting updates it met.
    /// </summary>
    public async Task<T> RetryOnConflictAsync<T>(string what, Func<CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ConflictWhatKey, what);
        try
        {
            return await _conflictPipeline.ExecuteAsync(
                static async (context, body) => await body(context.CancellationToken).ConfigureAwait(false),
                context,
                body).ConfigureAwait(false);
        }
        catch (KubernetesApiException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict)
        {
            var attempts = Options.ConflictRetries + 1;
            throw new KubernetesApiException(409, $"gave up {what} after {attempts} conflicting updates (409): {ex.Message}", transient: true, ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static readonly ResiliencePropertyKey<string> ConflictWhatKey = new("rollbackkit.kubernetes.conflict-what");

    /// <summary>
    /// The conflict retry: <paramref name="retries"/> immediate retries of a 409 (each redoes the read, so no wait helps),
    /// logged as <c>ConflictRetry</c>; no strategy at all when <paramref name="retries"/> is 0.
    /// </summary>
    internal static ResiliencePipeline ConflictPipeline(int retries, TimeProvider time, ILogger logger)
    {
        if (retries <= 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<KubernetesApiException>(static e => e.StatusCode == (int)HttpStatusCode.Conflict),
                MaxRetryAttempts = retries,
                Delay = TimeSpan.Zero,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                OnRetry = args =>
                {
                    var what = args.Context.Properties.GetValue(ConflictWhatKey, "updating");
                    Log.ConflictRetry(logger, what, args.AttemptNumber + 1);
                    return default;
                },
            })
            .Build();
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
