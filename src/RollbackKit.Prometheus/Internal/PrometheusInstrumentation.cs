using System.Diagnostics.Metrics;

namespace RollbackKit.Prometheus.Internal;

/// <summary>Instruments of the Prometheus package, on the <c>RollbackKit</c> meter.</summary>
internal sealed class PrometheusInstrumentation : IDisposable
{
    public const string MeterName = "RollbackKit";
    private readonly Meter? _ownedMeter;

    public PrometheusInstrumentation(IMeterFactory? meterFactory = null)
    {
        Meter meter;
        if (meterFactory is null)
        {
            _ownedMeter = meter = new Meter(MeterName);
        }
        else
        {
            meter = meterFactory.Create(MeterName);
        }

        QueryErrors = meter.CreateCounter<long>("rollbackkit.prometheus.query.errors", "{error}", "Prometheus queries that ended in an error result.");
        QueryDuration = meter.CreateHistogram<double>("rollbackkit.prometheus.query.duration", "s", "Duration of Prometheus queries, retries included.");
        Alerts = meter.CreateCounter<long>("rollbackkit.alertmanager.alerts", "{alert}", "Alertmanager alerts received, by outcome.");
    }

    public Counter<long> QueryErrors { get; }

    public Histogram<double> QueryDuration { get; }

    public Counter<long> Alerts { get; }

    public void Dispose() => _ownedMeter?.Dispose();
}
