using System.Diagnostics;
using System.Diagnostics.Metrics;
using RollbackKit.Telemetry;

namespace RollbackKit.Prometheus.Internal;

/// <summary>
/// Instruments of the Prometheus package, on the <c>RollbackKit</c> meter from <see cref="IMeterFactory"/> (which owns
/// it), and the package's <see cref="System.Diagnostics.ActivitySource"/>.
/// </summary>
internal sealed class PrometheusInstrumentation
{
    /// <summary>The span around one HTTP query to Prometheus (retries included).</summary>
    public const string QuerySpanName = "rollbackkit.prometheus.query";

    /// <summary>Tag: the query's name (metrics).</summary>
    public const string QueryTag = "query";

    /// <summary>Tag: the error kind (<c>Timeout</c>, <c>Transport</c>, <c>BadData</c>, …).</summary>
    public const string KindTag = "kind";

    /// <summary>Tag: the outcome of an Alertmanager alert.</summary>
    public const string OutcomeTag = "outcome";

    /// <summary>Span tag: the Prometheus API called, <c>query</c> or <c>query_range</c>.</summary>
    public const string ApiTag = "prometheus.api";

    /// <summary>Span tag: the number of series in the answer.</summary>
    public const string SeriesTag = "prometheus.series";

    /// <summary>Span tag: the error kind when the query failed.</summary>
    public const string ErrorKindTag = "prometheus.error.kind";

    /// <summary>The source the package's spans start from, named <c>RollbackKit</c> like every package's.</summary>
    public static readonly ActivitySource ActivitySource = new(
        RollbackKitTelemetry.ActivitySourceName,
        typeof(PrometheusInstrumentation).Assembly.GetName().Version?.ToString());

    public PrometheusInstrumentation(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(RollbackKitTelemetry.MeterName);
        QueryErrors = meter.CreateCounter<long>("rollbackkit.prometheus.query.errors", "{error}", "Prometheus queries that ended in an error result.");
        QueryDuration = meter.CreateHistogram<double>("rollbackkit.prometheus.query.duration", "s", "Duration of Prometheus queries, retries included.");
        Alerts = meter.CreateCounter<long>("rollbackkit.alertmanager.alerts", "{alert}", "Alertmanager alerts received, by outcome.");
    }

    public Counter<long> QueryErrors { get; }

    public Histogram<double> QueryDuration { get; }

    public Counter<long> Alerts { get; }
}
