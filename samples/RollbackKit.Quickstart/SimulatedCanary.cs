using System.Globalization;
using RollbackKit.Metrics;

namespace RollbackKit.Quickstart;

/// <summary>
/// A simulated deployment of <c>shop/checkout</c>: version v2 runs as a canary and regresses after a while (error rate,
/// latency and success rate get worse); rolling back to v1 restores health.
/// </summary>
internal sealed class SimulatedDeployment(TimeProvider time, TimeSpan regressAfter)
{
    private readonly DateTimeOffset _start = time.GetUtcNow();

    public string Version { get; set; } = "v2";

    public int CanaryReplicas { get; set; } = 2;

    public bool TrafficDrained { get; set; }

    public TimeSpan Elapsed => time.GetUtcNow() - _start;

    public bool Regressed => Version == "v2" && Elapsed >= regressAfter;
}

/// <summary>Answers the quickstart's queries from the simulated deployment and prints what it measures each tick.</summary>
internal sealed class SimulatedMetricSource(SimulatedDeployment deployment, Console2 console) : IMetricSource
{
    public string Name => "simulation";

    public ValueTask QueryAsync(MetricQueryBatch batch, CancellationToken cancellationToken)
    {
        var bad = deployment.Regressed;
        var value = batch.Query.Name switch
        {
            "canary_error_rate" => bad ? 5.2 : 0.5,
            "baseline_error_rate" => 0.5,
            "canary_p99_ms" => bad ? 480 : 120,
            "baseline_p99_ms" => 110,
            "canary_success_rate" => bad ? 0.91 : 0.999,
            "security_events" => 0,
            _ => double.NaN,
        };

        for (var i = 0; i < batch.Targets.Count; i++)
        {
            if (double.IsNaN(value))
            {
                batch.SetNoData(i);
            }
            else
            {
                batch.SetValue(i, value);
            }
        }

        if (batch.Query.Name == "canary_error_rate")
        {
            console.Line("measure", string.Create(CultureInfo.InvariantCulture,
                $"{deployment.Version} canary: errors {(bad ? 5.2 : 0.5):0.00}/min (baseline 0.50/min) · p99 {(bad ? 480 : 120)} ms (baseline 110 ms) · success {(bad ? 91.0 : 99.9):0.0}%"));
        }

        return ValueTask.CompletedTask;
    }
}
