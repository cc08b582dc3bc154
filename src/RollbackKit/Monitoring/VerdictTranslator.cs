using System.Globalization;
using System.Text;
using RollbackKit.Dispatch;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Monitoring;

/// <summary>Turns a verdict that fired (or reached its error limit) into the request the dispatcher receives.</summary>
internal static class VerdictTranslator
{
    /// <summary>The evidence of a fired verdict: the values the condition read, actual, threshold and timing.</summary>
    public static TriggerEvidence BuildEvidence(EvaluationEngine engine, int targetIndex, int triggerIndex, TriggerVerdict verdict, DateTimeOffset now, IReadOnlyList<string>? warnings = null)
    {
        var trigger = engine.Triggers[triggerIndex];
        var referenced = engine.GetReferencedValues(triggerIndex);
        var values = new MeasuredValue[referenced.Count];
        for (var i = 0; i < referenced.Count; i++)
        {
            var index = referenced[i];
            values[i] = new MeasuredValue(engine.ValueNames[index], engine.GetValues(index)[targetIndex]);
        }

        return new TriggerEvidence
        {
            TriggerName = trigger.Name,
            Condition = trigger.Condition,
            Values = values,
            Actual = double.IsNaN(verdict.Actual) ? null : verdict.Actual,
            Threshold = double.IsNaN(verdict.Threshold) ? null : verdict.Threshold,
            FirstFailedAt = verdict.FailingSinceUtcTicks > 0 ? new DateTimeOffset(verdict.FailingSinceUtcTicks, TimeSpan.Zero) : now,
            DetectedAt = now,
            DryRun = trigger.DryRun,
            Warnings = warnings,
        };
    }

    /// <summary>
    /// The rollback (or, for alert-only triggers, alert) request of a fired verdict. For a dry-run trigger the evidence says
    /// <see cref="TriggerEvidence.DryRun"/>: the dispatcher records it and acts on nothing.
    /// </summary>
    public static RollbackRequest FiredRequest(RollbackTarget target, TriggerDefinition trigger, TriggerVerdict verdict, TriggerEvidence evidence, DateTimeOffset now) => new()
    {
        Target = target,
        TriggerType = RollbackTriggerType.MetricTrigger,
        Severity = trigger.Severity,
        Reason = BuildReason(trigger, verdict),
        RequestedBy = trigger.Name,
        Evidence = evidence,
        RequestedAt = now,
        AlertOnly = trigger.Action == TriggerAction.AlertOnly,
    };

    /// <summary>The alert request of a verdict whose consecutive source errors reached the trigger's error limit.</summary>
    public static RollbackRequest ErrorLimitRequest(RollbackTarget target, TriggerDefinition trigger, TriggerVerdict verdict, string error, DateTimeOffset now) => new()
    {
        Target = target,
        TriggerType = RollbackTriggerType.MetricTrigger,
        Severity = trigger.Severity,
        Reason = $"{trigger.Name}: {verdict.ConsecutiveErrors} consecutive measurement errors ({error}); no rollback is made on errors",
        RequestedBy = trigger.Name,
        RequestedAt = now,
        AlertOnly = true,
    };

    /// <summary>The first error among the queries a trigger reads, or <see langword="null"/>.</summary>
    public static string? FirstError(EvaluationEngine engine, MetricQueryBatch[] batches, int triggerIndex)
    {
        foreach (var index in engine.GetReferencedValues(triggerIndex))
        {
            if (index < batches.Length && batches[index].Error is { } error)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>Formats a measured value for people (6 significant digits, invariant culture).</summary>
    public static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string BuildReason(TriggerDefinition trigger, TriggerVerdict verdict)
    {
        var text = new StringBuilder(trigger.Name).Append(": ").Append(trigger.Condition);
        if (!double.IsNaN(verdict.Actual))
        {
            text.Append(" (actual ").Append(Format(verdict.Actual));
            if (!double.IsNaN(verdict.Threshold))
            {
                text.Append(", threshold ").Append(Format(verdict.Threshold));
            }

            text.Append(')');
        }

        if (trigger.For > TimeSpan.Zero)
        {
            text.Append(" for ").Append(RollbackKitDuration.Format(trigger.For));
        }

        return text.ToString();
    }
}
