using System.Globalization;
using System.Text;

namespace RollbackKit.Cli.Tests.Infrastructure;

/// <summary>
/// A recorded incident, as OpenMetrics for <c>promtool tsdb create-blocks-from openmetrics</c>: the checkout canary's
/// error ratio (sampled every 15 s) blips to 5% for 2 minutes at 10:08, then regresses to 6% from 10:20 to 10:40; its
/// stable track and the cart service stay near 1%. docs/backtest.md walks through this incident.
/// </summary>
internal static class Incident
{
    public const int SampleSeconds = 15;

    /// <summary>With <c>For: 3m</c>, the error-rate trigger fires 3 minutes into the regression.</summary>
    public static readonly TimeSpan RegressionStart = new(10, 20, 0);

    public static DateTimeOffset At(DateTimeOffset day, int hour, int minute) => day.AddHours(hour).AddMinutes(minute);

    public static string OpenMetrics(DateTimeOffset day)
    {
        var text = new StringBuilder();
        text.AppendLine("# TYPE app_error_ratio gauge");
        var start = At(day, 9, 40);
        var end = At(day, 11, 0);
        var series = new (string Labels, Func<DateTimeOffset, int, double> Value)[]
        {
            ("app=\"checkout\",track=\"canary\"", (t, i) => Checkout(day, t, i)),
            ("app=\"checkout\",track=\"stable\"", (_, i) => 0.010 + Noise(i, 7)),
            ("app=\"cart\",track=\"canary\"", (_, i) => 0.008 + Noise(i, 3)),
            ("app=\"cart\",track=\"stable\"", (_, i) => 0.009 + Noise(i, 5)),
        };
        foreach (var (labels, value) in series)
        {
            var i = 0;
            for (var t = start; t <= end; t = t.AddSeconds(SampleSeconds), i++)
            {
                text.Append("app_error_ratio{").Append(labels).Append("} ")
                    .Append(value(t, i).ToString("0.#####", CultureInfo.InvariantCulture)).Append(' ')
                    .Append(t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        text.Append("# EOF\n");
        return text.ToString();
    }

    /// <summary>The configuration under test: two targets, two queries, the error-rate trigger and an alert-only budget trigger.</summary>
    public static string AppSettings(string section = "RollbackKit", string errorRateFor = "3m") => $$$"""
        {
          "Logging": { "LogLevel": { "Default": "Warning" } },
          "{{{section}}}": {
            "EvaluationInterval": "15s",
            "Targets": [
              { "Id": "shop/checkout", "Labels": { "namespace": "shop", "name": "checkout" } },
              { "Id": "shop/cart", "Labels": { "namespace": "shop", "name": "cart" } }
            ],
            "Queries": [
              { "Name": "canary_error_rate", "Expression": "max(app_error_ratio{app=\"{{name}}\",track=\"canary\"})" },
              { "Name": "stable_error_rate", "Expression": "max(app_error_ratio{app=\"{{name}}\",track=\"stable\"})" }
            ],
            "Triggers": [
              { "Name": "error-rate", "Condition": "canary_error_rate > stable_error_rate * 2", "For": "{{{errorRateFor}}}", "Severity": "Critical" },
              { "Name": "error-budget", "Condition": "canary_error_rate > 4%", "For": "1m", "Severity": "Medium", "Action": "AlertOnly" }
            ],
            "Playbook": { "Steps": [ { "Type": "kubernetes.undo" }, { "Type": "kubernetes.wait", "Timeout": "5m" } ] },
            "Slack": { "Channel": "#deploys" }
          }
        }
        """;

    private static double Checkout(DateTimeOffset day, DateTimeOffset t, int i)
    {
        if (t >= At(day, 10, 8) && t < At(day, 10, 10))
        {
            return 0.05 + Noise(i, 11);
        }

        if (t >= day + RegressionStart && t < At(day, 10, 40))
        {
            return 0.06 + Noise(i, 13);
        }

        return 0.011 + Noise(i, 17);
    }

    /// <summary>Deterministic jitter of at most ±0.002.</summary>
    private static double Noise(int i, int seed) => 0.002 * Math.Sin((i * 0.7) + seed) * Math.Cos(i * 0.13 * seed);
}
