using RollbackKit.Metrics;

namespace RollbackKit.Engine.Internal;

/// <summary>
/// The engine's values as structure of arrays: per value name (queries, then baselines) one column of values and one
/// of statuses, each with a slot per target. Values start as NaN (no data), statuses as <see cref="MetricSampleStatus.None"/>.
/// </summary>
internal sealed class ValueTable
{
    public ValueTable(string[] names, Dictionary<string, int> index, int count)
    {
        Names = names;
        Index = index;
        Values = new double[names.Length][];
        Statuses = new MetricSampleStatus[names.Length][];
        for (var v = 0; v < names.Length; v++)
        {
            Values[v] = new double[count];
            Array.Fill(Values[v], double.NaN);
            Statuses[v] = new MetricSampleStatus[count];
        }
    }

    /// <summary>Every value name: queries first, then baselines.</summary>
    public string[] Names { get; }

    /// <summary>Index of each name in <see cref="Names"/>.</summary>
    public Dictionary<string, int> Index { get; }

    /// <summary>Per value name, one value per target; NaN means no data.</summary>
    public double[][] Values { get; }

    /// <summary>Per value name, one status per target.</summary>
    public MetricSampleStatus[][] Statuses { get; }
}
