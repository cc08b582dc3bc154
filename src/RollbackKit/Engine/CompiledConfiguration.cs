using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Engine;

/// <summary>
/// What the monitor evaluates, compiled once and shared: the targets, the queries with the source answering each, the
/// triggers and baselines, and the one <see cref="EvaluationEngine"/> built from them. The monitor ticks that engine;
/// verification measures with its compiled conditions (and reads its captured baselines) without building another.
/// </summary>
internal sealed class CompiledConfiguration
{
    private readonly IMetricSource[] _sources;
    private readonly Lazy<Compiled> _compiled;

    /// <summary>Creates the configuration; nothing is compiled until first use.</summary>
    /// <param name="targets">The targets, in engine order.</param>
    /// <param name="queries">The named queries.</param>
    /// <param name="triggers">The triggers.</param>
    /// <param name="baselines">The captured baselines.</param>
    /// <param name="sources">The registered metric sources.</param>
    public CompiledConfiguration(
        IReadOnlyList<RollbackTarget> targets,
        IReadOnlyList<MetricQueryDefinition> queries,
        IReadOnlyList<TriggerDefinition> triggers,
        IReadOnlyList<BaselineDefinition> baselines,
        IEnumerable<IMetricSource> sources)
    {
        Targets = targets;
        Queries = [.. queries];
        QueryNames = [.. Queries.Select(static q => q.Name)];
        Triggers = [.. triggers.Where(static t => t?.Judge is null)]; // judge triggers run in JudgeMonitor
        Baselines = baselines;
        _sources = [.. sources];
        _compiled = new Lazy<Compiled>(Compile, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The targets, in engine order.</summary>
    public IReadOnlyList<RollbackTarget> Targets { get; }

    /// <summary>The queries; query <c>i</c> is value <c>i</c> of the engine.</summary>
    public MetricQueryDefinition[] Queries { get; }

    /// <summary>The query names, index-aligned with <see cref="Queries"/>.</summary>
    public string[] QueryNames { get; }

    /// <summary>The condition triggers (judge triggers are left out).</summary>
    public IReadOnlyList<TriggerDefinition> Triggers { get; }

    /// <summary>The captured baselines; baseline <c>b</c> is value <c>Queries.Length + b</c> of the engine.</summary>
    public IReadOnlyList<BaselineDefinition> Baselines { get; }

    /// <summary>The engine (built on first use). Its timing state belongs to the monitor.</summary>
    /// <exception cref="TriggerConfigurationException">The triggers are invalid (start-up validation reports this first).</exception>
    public EvaluationEngine Engine => _compiled.Value.Engine;

    /// <summary>The source answering query <paramref name="queryIndex"/>.</summary>
    /// <exception cref="InvalidOperationException">The query names no source or an unknown one.</exception>
    public IMetricSource SourceOf(int queryIndex) => _compiled.Value.Sources[queryIndex];

    /// <summary>Index of a target in <see cref="Targets"/>, or -1.</summary>
    public int IndexOf(string targetId) => _compiled.Value.TargetIndex.TryGetValue(targetId, out var index) ? index : -1;

    private Compiled Compile()
    {
        var engine = new EvaluationEngine(Targets, QueryNames, Triggers, Baselines);
        var sourceOf = new IMetricSource[Queries.Length];
        for (var i = 0; i < Queries.Length; i++)
        {
            sourceOf[i] = ResolveSource(Queries[i]);
        }

        var targetIndex = new Dictionary<string, int>(Targets.Count, StringComparer.Ordinal);
        for (var i = 0; i < Targets.Count; i++)
        {
            targetIndex[Targets[i].Id] = i;
        }

        return new Compiled(engine, sourceOf, targetIndex);
    }

    private IMetricSource ResolveSource(MetricQueryDefinition query)
    {
        if (query.Source is null)
        {
            return _sources.Length == 1
                ? _sources[0]
                : throw new InvalidOperationException($"Query '{query.Name}' names no source and {_sources.Length} sources are registered.");
        }

        foreach (var source in _sources)
        {
            if (string.Equals(source.Name, query.Source, StringComparison.OrdinalIgnoreCase))
            {
                return source;
            }
        }

        throw new InvalidOperationException($"Query '{query.Name}' names unknown source '{query.Source}'.");
    }

    private sealed record Compiled(EvaluationEngine Engine, IMetricSource[] Sources, Dictionary<string, int> TargetIndex);
}
