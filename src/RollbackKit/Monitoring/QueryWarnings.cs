using RollbackKit.Engine;
using RollbackKit.Metrics;

namespace RollbackKit.Monitoring;

/// <summary>Collects the warnings the sources reported with a tick's answers; allocates only when there are some.</summary>
internal static class QueryWarnings
{
    /// <summary>Every warning of the tick, or <see langword="null"/>.</summary>
    public static List<string>? All(MetricQueryBatch[] batches)
    {
        List<string>? all = null;
        foreach (var batch in batches)
        {
            if (batch.Warnings is { Count: > 0 } warnings)
            {
                (all ??= []).AddRange(warnings);
            }
        }

        return all;
    }

    /// <summary>The warnings of the queries a trigger reads, or <see langword="null"/>.</summary>
    public static List<string>? ForTrigger(EvaluationEngine engine, MetricQueryBatch[] batches, int triggerIndex)
    {
        List<string>? found = null;
        foreach (var index in engine.GetReferencedValues(triggerIndex))
        {
            if (index < batches.Length && batches[index].Warnings is { Count: > 0 } warnings)
            {
                (found ??= []).AddRange(warnings);
            }
        }

        return found;
    }
}
