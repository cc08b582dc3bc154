using System.Globalization;

namespace RollbackKit.Prometheus;

/// <summary>
/// Settings of the Prometheus metric source, bound from <c>RollbackKit:Prometheus</c> by default. Secrets
/// (<see cref="BearerToken"/>, <see cref="Password"/>, header values) never appear in <see cref="ToString"/> or logs.
/// </summary>
public sealed class PrometheusOptions
{
    /// <summary>The default configuration section path: <c>RollbackKit:Prometheus</c>.</summary>
    public const string DefaultSectionPath = "RollbackKit:Prometheus";

    /// <summary>The name of the <see cref="Metrics.IMetricSource"/>, matched by a query's <c>Source</c>. Default: <c>prometheus</c>.</summary>
    public string SourceName { get; set; } = "prometheus";

    /// <summary>Base address of the Prometheus server (a path prefix is kept), for example <c>http://127.0.0.1:9090</c>. Required.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The value of the <c>{{interval}}</c> placeholder (a PromQL duration) unless the target has an <c>interval</c> label. Default: <c>5m</c>.</summary>
    public string Interval { get; set; } = "5m";

    /// <summary>Bearer token sent as <c>Authorization: Bearer …</c>. Default: none.</summary>
    public string? BearerToken { get; set; }

    /// <summary>User name for HTTP basic authentication (with <see cref="Password"/>). Default: none.</summary>
    public string? Username { get; set; }

    /// <summary>Password for HTTP basic authentication. Default: none.</summary>
    public string? Password { get; set; }

    /// <summary>Extra request headers (for example a tenant header). Values are treated as secrets. Default: none.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Path of a PEM or DER file with the CA certificate(s) that must have issued the server's TLS certificate; a relative path is resolved against the host's content root. Default: the system trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>How many times a failed request (unreachable, timeout, 5xx, 429) is retried within the query's timeout. Default: 2.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Delay before the first retry; doubled for each further retry (with jitter). Waited only on the system clock: under
    /// another <see cref="TimeProvider"/> (a fake one in tests) retries follow at once. Default: 200 milliseconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How many per-target queries run at the same time for a query without <c>GroupBy</c>. Default: 8.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Largest response body accepted, in bytes; a larger one is an error. Default: 64 MiB.</summary>
    public int MaxResponseBytes { get; set; } = 64 * 1024 * 1024;

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"PrometheusOptions {{ SourceName = {SourceName}, BaseAddress = {BaseAddress}, Interval = {Interval}, BearerToken = {Redact(BearerToken)}, Username = {Username ?? "<none>"}, Password = {Redact(Password)}, Headers = [{string.Join(", ", Headers.Keys)}], CaFile = {CaFile ?? "<none>"}, MaxRetries = {MaxRetries}, RetryDelay = {RetryDelay}, MaxConcurrency = {MaxConcurrency} }}");

    private static string Redact(string? secret) => string.IsNullOrEmpty(secret) ? "<none>" : "***";
}
