using System.Globalization;

namespace RollbackKit.Judging;

/// <summary>Checks a <see cref="JudgeDefinition"/>; every message starts with the key path and names the value.</summary>
internal static class JudgeValidation
{
    /// <summary>The most steps one window may hold (Prometheus answers at most 11,000 points per series).</summary>
    public const int MaxSteps = 10_000;

    public static List<string> Validate(JudgeDefinition judge, string key)
    {
        var errors = new List<string>();
        if (judge.Window <= TimeSpan.Zero)
        {
            errors.Add($"{key}:Window: must be greater than zero (was {judge.Window}).");
        }

        if (judge.Step <= TimeSpan.Zero)
        {
            errors.Add($"{key}:Step: must be greater than zero (was {judge.Step}).");
        }
        else if (judge.Window > TimeSpan.Zero && judge.Window.Ticks / judge.Step.Ticks > MaxSteps)
        {
            errors.Add($"{key}:Step: the window {judge.Window} holds more than {MaxSteps} steps of {judge.Step}.");
        }

        if (judge.Interval <= TimeSpan.Zero)
        {
            errors.Add($"{key}:Interval: must be greater than zero (was {judge.Interval}).");
        }

        if (!(judge.PassScore is >= 0 and <= 100))
        {
            errors.Add($"{key}:PassScore: must be between 0 and 100 (was {F(judge.PassScore)}).");
        }

        if (!(judge.MarginalScore is >= 0 and <= 100) || judge.MarginalScore > judge.PassScore)
        {
            errors.Add($"{key}:MarginalScore: must be between 0 and PassScore ({F(judge.PassScore)}) (was {F(judge.MarginalScore)}).");
        }

        if (!(judge.Confidence is > 0 and < 1))
        {
            errors.Add($"{key}:Confidence: must be greater than 0 and less than 1 (was {F(judge.Confidence)}).");
        }

        if (judge.Metrics is null || judge.Metrics.Count == 0)
        {
            errors.Add($"{key}:Metrics: at least one metric is required.");
            return errors;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < judge.Metrics.Count; i++)
        {
            var metric = judge.Metrics[i];
            var m = $"{key}:Metrics:{i}";
            if (metric is null)
            {
                errors.Add($"{m}: missing.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(metric.Name))
            {
                errors.Add($"{m}:Name: is required.");
            }
            else if (!names.Add(metric.Name))
            {
                errors.Add($"{m}:Name: duplicate metric name '{metric.Name}'.");
            }

            if (string.IsNullOrWhiteSpace(metric.Canary))
            {
                errors.Add($"{m}:Canary: is required.");
            }

            if (string.IsNullOrWhiteSpace(metric.Baseline))
            {
                errors.Add($"{m}:Baseline: is required.");
            }

            if (!Enum.IsDefined(metric.Direction))
            {
                errors.Add($"{m}:Direction: unknown value '{metric.Direction}' (Increase, Decrease or Either).");
            }

            if (!Enum.IsDefined(metric.NoData))
            {
                errors.Add($"{m}:NoData: unknown value '{metric.NoData}' (NoData, Pass or Fail).");
            }

            if (!(metric.EffectTolerance >= 0) || double.IsInfinity(metric.EffectTolerance))
            {
                errors.Add($"{m}:EffectTolerance: must be zero or more (was {F(metric.EffectTolerance)}).");
            }

            if (!(metric.Weight > 0) || double.IsInfinity(metric.Weight))
            {
                errors.Add($"{m}:Weight: must be greater than zero (was {F(metric.Weight)}).");
            }

            if (metric.MinSamples < 1)
            {
                errors.Add($"{m}:MinSamples: must be at least 1 (was {metric.MinSamples}).");
            }
        }

        return errors;
    }

    private static string F(double value) => value.ToString(CultureInfo.InvariantCulture);
}
