using System.Globalization;
using System.Text;
using RollbackKit.Dispatch;
using RollbackKit.Triggers;

namespace RollbackKit.Monitoring;

/// <summary>Words a <see cref="TriggerExplanation"/> for people: why the trigger fired, or why it has not.</summary>
internal static class ExplanationText
{
    public static string Why(TriggerExplanation point, TriggerDefinition trigger)
    {
        var text = new StringBuilder(160);
        switch (point.Outcome)
        {
            case TriggerOutcome.Disabled:
                return "disabled: not evaluated";
            case TriggerOutcome.Error:
                return Error(point, trigger, text);
            case TriggerOutcome.NoData:
                text.Append("no data for ").Append(MissingValues(point)).Append(": inconclusive (NoData: Inconclusive), the timer keeps its state");
                AppendProgress(point, trigger, text);
                return text.ToString();
            case TriggerOutcome.Pass:
                text.Append(HasMissingValue(point) ? "no data counts as a pass (NoData: Pass)" : "condition does not hold");
                AppendMeasure(point, text);
                return text.Append(": healthy, nothing to fire").ToString();
            default:
                text.Append(HasMissingValue(point) ? "no data counts as a failure (NoData: Fail)" : "condition holds");
                AppendMeasure(point, text);
                if (point.Fired)
                {
                    return text.Append(": fired, ").Append(FiredBecause(point, trigger)).ToString();
                }

                if (point.State.Latched)
                {
                    return text.Append(": already fired in this failing episode; re-arms after a passing measurement").ToString();
                }

                AppendProgress(point, trigger, text);
                return text.ToString();
        }
    }

    private static string Error(TriggerExplanation point, TriggerDefinition trigger, StringBuilder text)
    {
        text.Append("measurement error");
        if (point.Error is { } error)
        {
            text.Append(" (").Append(error).Append(')');
        }

        if (point.ErrorLimitReached)
        {
            return text.Append(Invariant($": {point.State.ConsecutiveErrors} consecutive errors reached the error limit, an alert is raised (errors never roll back)")).ToString();
        }

        text.Append(": not a failure; the For clock and the consecutive failures restart");
        if (trigger.ErrorLimit > 0)
        {
            text.Append(Invariant($"; {point.State.ConsecutiveErrors} of {trigger.ErrorLimit} consecutive errors before an alert"));
        }

        return text.ToString();
    }

    /// <summary>Which rule fired: the For duration, the failure limit or the consecutive-failure limit.</summary>
    private static string FiredBecause(TriggerExplanation point, TriggerDefinition trigger)
    {
        var state = point.State;
        var forRule = trigger.For > TimeSpan.Zero || (trigger.FailureLimit == 0 && trigger.ConsecutiveFailureLimit == 0);
        if (forRule && state.BreachingSince is { } since && point.At - since >= trigger.For)
        {
            return trigger.For > TimeSpan.Zero
                ? $"breaching since {Time(since)}, {AdmissionPolicy.Describe(point.At - since)} ≥ For {AdmissionPolicy.Describe(trigger.For)}"
                : "on the first failing measurement (no For)";
        }

        if (trigger.FailureLimit > 0 && state.TotalFailures >= trigger.FailureLimit)
        {
            return Invariant($"{state.TotalFailures} failures reached FailureLimit {trigger.FailureLimit}{Window(trigger)}");
        }

        return Invariant($"{state.ConsecutiveFailures} consecutive failures reached ConsecutiveFailureLimit {trigger.ConsecutiveFailureLimit}");
    }

    /// <summary>How far the timer is from firing, for a measurement that did not fire.</summary>
    private static void AppendProgress(TriggerExplanation point, TriggerDefinition trigger, StringBuilder text)
    {
        var state = point.State;
        var forRule = trigger.For > TimeSpan.Zero || (trigger.FailureLimit == 0 && trigger.ConsecutiveFailureLimit == 0);
        if (forRule && trigger.For > TimeSpan.Zero)
        {
            if (state.BreachingSince is { } since)
            {
                var held = point.At - since;
                text.Append("; breaching since ").Append(Time(since)).Append(", ").Append(AdmissionPolicy.Describe(held))
                    .Append(" of For ").Append(AdmissionPolicy.Describe(trigger.For))
                    .Append(": fires in ").Append(AdmissionPolicy.Describe(trigger.For - held)).Append(" if it keeps failing");
            }
            else
            {
                text.Append("; not breaching: must hold for ").Append(AdmissionPolicy.Describe(trigger.For));
            }
        }

        if (trigger.FailureLimit > 0)
        {
            text.Append(Invariant($"; {state.TotalFailures} of {trigger.FailureLimit} failures{Window(trigger)}"));
        }

        if (trigger.ConsecutiveFailureLimit > 0)
        {
            text.Append(Invariant($"; {state.ConsecutiveFailures} of {trigger.ConsecutiveFailureLimit} consecutive failures"));
        }

        if (state.Latched)
        {
            text.Append("; already fired in this failing episode");
        }
    }

    private static void AppendMeasure(TriggerExplanation point, StringBuilder text)
    {
        if (point.Actual is { } actual)
        {
            text.Append(" (actual ").Append(VerdictTranslator.Format(actual));
            if (point.Threshold is { } threshold)
            {
                text.Append(", threshold ").Append(VerdictTranslator.Format(threshold));
            }

            text.Append(')');
        }
    }

    private static bool HasMissingValue(TriggerExplanation point)
    {
        foreach (var value in point.Values)
        {
            if (double.IsNaN(value.Value))
            {
                return true;
            }
        }

        return false;
    }

    private static string MissingValues(TriggerExplanation point)
    {
        var names = new List<string>(point.Values.Count);
        foreach (var value in point.Values)
        {
            if (double.IsNaN(value.Value))
            {
                names.Add(value.Name);
            }
        }

        return names.Count == 0 ? "a value" : string.Join(", ", names);
    }

    private static string Window(TriggerDefinition trigger) =>
        trigger.FailureWindow is { } window ? " within " + AdmissionPolicy.Describe(window) : string.Empty;

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
