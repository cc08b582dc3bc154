using RollbackKit.Conditions;
using RollbackKit.Metrics;

namespace RollbackKit.Triggers;

/// <summary>
/// Checks trigger and baseline settings and compiles every condition against the readable value names (queries first,
/// then baselines). Used by the engine when it is built and by start-up validation, so both report the same errors.
/// </summary>
internal static class TriggerCompiler
{
    /// <summary>The largest <see cref="TriggerDefinition.FailureLimit"/> allowed with a failure window (memory per target grows with it).</summary>
    public const int MaxWindowedFailureLimit = 1000;

    /// <summary>Checks and compiles.</summary>
    /// <param name="queryNames">Names of the queries, in order.</param>
    /// <param name="triggers">The triggers.</param>
    /// <param name="baselines">Captured baselines; their names become readable values after the queries.</param>
    /// <exception cref="TriggerConfigurationException">A setting is invalid; the message starts with its key path.</exception>
    public static CompiledTriggers Compile(
        IReadOnlyList<string> queryNames,
        IReadOnlyList<TriggerDefinition> triggers,
        IReadOnlyList<BaselineDefinition>? baselines = null)
    {
        ArgumentNullException.ThrowIfNull(queryNames);
        ArgumentNullException.ThrowIfNull(triggers);
        baselines ??= [];

        var names = new List<string>(queryNames.Count + baselines.Count);
        var valueIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < queryNames.Count; i++)
        {
            AddValueName(names, valueIndex, queryNames[i], $"Queries:{i}:Name");
        }

        var baselineQueries = new int[baselines.Count];
        var baselineWindows = new long[baselines.Count];
        for (var i = 0; i < baselines.Count; i++)
        {
            var baseline = baselines[i] ?? throw new TriggerConfigurationException($"Baselines:{i}: missing");
            AddValueName(names, valueIndex, baseline.Name, $"Baselines:{i}:Name");
            if (string.IsNullOrWhiteSpace(baseline.Query) || !valueIndex.TryGetValue(baseline.Query, out var query) || query >= queryNames.Count)
            {
                throw new TriggerConfigurationException($"Baselines:{i}:Query: unknown query '{baseline.Query}'");
            }

            if (baseline.Window <= TimeSpan.Zero)
            {
                throw new TriggerConfigurationException($"Baselines:{i}:Window: must be positive");
            }

            baselineQueries[i] = query;
            baselineWindows[i] = baseline.Window.Ticks;
        }

        var conditions = new CompiledCondition[triggers.Count];
        var triggerNames = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var t = 0; t < triggers.Count; t++)
        {
            conditions[t] = CompileTrigger(t, triggers[t], triggerNames, valueIndex);
        }

        return new CompiledTriggers([.. names], valueIndex, queryNames.Count, baselineQueries, baselineWindows, conditions);
    }

    private static void AddValueName(List<string> names, Dictionary<string, int> valueIndex, string? name, string key)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new TriggerConfigurationException($"{key}: required");
        }

        if (!ConditionParser.IsValidName(name))
        {
            throw new TriggerConfigurationException(ConditionParser.IsReserved(name)
                ? $"{key}: '{name}' is a reserved word"
                : $"{key}: invalid name '{name}'; use letters, digits, '_' and '.', starting with a letter or '_'");
        }

        if (!valueIndex.TryAdd(name, names.Count))
        {
            throw new TriggerConfigurationException($"{key}: duplicate name '{name}'");
        }

        names.Add(name);
    }

    private static CompiledCondition CompileTrigger(int index, TriggerDefinition? trigger, Dictionary<string, int> names, Dictionary<string, int> valueIndex)
    {
        if (trigger is null)
        {
            throw new TriggerConfigurationException(index, "Name", "required (the trigger is missing)");
        }

        if (string.IsNullOrWhiteSpace(trigger.Name))
        {
            throw new TriggerConfigurationException(index, "Name", "required");
        }

        if (!names.TryAdd(trigger.Name, index))
        {
            throw new TriggerConfigurationException(index, "Name", $"duplicate name '{trigger.Name}' (also Triggers:{names[trigger.Name]})");
        }

        CheckSettings(index, trigger);
        if (string.IsNullOrWhiteSpace(trigger.Condition))
        {
            throw new TriggerConfigurationException(index, "Condition", "required");
        }

        try
        {
            return ConditionParser.Parse(trigger.Condition, name => valueIndex.TryGetValue(name, out var v) ? v : -1);
        }
        catch (ConditionSyntaxException e)
        {
            throw new TriggerConfigurationException(index, "Condition", e.Message);
        }
    }

    private static void CheckSettings(int index, TriggerDefinition trigger)
    {
        if (trigger.For < TimeSpan.Zero)
        {
            throw new TriggerConfigurationException(index, "For", "must not be negative");
        }

        if (!Enum.IsDefined(trigger.Severity))
        {
            throw new TriggerConfigurationException(index, "Severity", $"unknown value '{trigger.Severity}'");
        }

        if (!Enum.IsDefined(trigger.Action))
        {
            throw new TriggerConfigurationException(index, "Action", $"unknown value '{trigger.Action}'");
        }

        if (!Enum.IsDefined(trigger.NoData))
        {
            throw new TriggerConfigurationException(index, "NoData", $"unknown value '{trigger.NoData}'");
        }

        if (trigger.FailureLimit < 0)
        {
            throw new TriggerConfigurationException(index, "FailureLimit", "must not be negative");
        }

        if (trigger.ConsecutiveFailureLimit < 0)
        {
            throw new TriggerConfigurationException(index, "ConsecutiveFailureLimit", "must not be negative");
        }

        if (trigger.ErrorLimit < 1)
        {
            throw new TriggerConfigurationException(index, "ErrorLimit", "must be at least 1");
        }

        if (trigger.FailureWindow is { } window)
        {
            if (window <= TimeSpan.Zero)
            {
                throw new TriggerConfigurationException(index, "FailureWindow", "must be positive");
            }

            if (trigger.FailureLimit == 0)
            {
                throw new TriggerConfigurationException(index, "FailureWindow", "needs FailureLimit");
            }

            if (trigger.FailureLimit > MaxWindowedFailureLimit)
            {
                throw new TriggerConfigurationException(index, "FailureLimit", $"must be at most {MaxWindowedFailureLimit} with a FailureWindow");
            }
        }
    }
}

/// <summary>The result of <see cref="TriggerCompiler.Compile"/>.</summary>
/// <param name="ValueNames">Every readable value name: queries first, then baselines.</param>
/// <param name="ValueIndex">Index of each name in <paramref name="ValueNames"/>.</param>
/// <param name="QueryCount">How many of the names are queries.</param>
/// <param name="BaselineQueries">Per baseline, the value index of the query it averages.</param>
/// <param name="BaselineWindowTicks">Per baseline, its capture window in ticks.</param>
/// <param name="Conditions">Per trigger, its compiled condition.</param>
internal sealed record CompiledTriggers(
    string[] ValueNames,
    Dictionary<string, int> ValueIndex,
    int QueryCount,
    int[] BaselineQueries,
    long[] BaselineWindowTicks,
    CompiledCondition[] Conditions);
