using Microsoft.Extensions.Options;
using RollbackKit.Metrics;

namespace RollbackKit.Triggers;

/// <summary>
/// Validates what the monitor evaluates (targets, queries, baselines and triggers) at start. Every message names the
/// configuration key path, for example <c>RollbackKit:Triggers:2:Condition: unknown name 'eror_rate' at 1</c>.
/// Conditions are compiled by <see cref="TriggerCompiler"/>, the same code the engine uses.
/// </summary>
internal sealed class TriggerOptionsValidator : IValidateOptions<RollbackKitOptions>
{
    private readonly IMetricSource[] _sources;

    /// <summary>Creates the validator.</summary>
    /// <param name="sources">The registered metric sources, which queries name.</param>
    /// <param name="prefix">The key path prefix used in messages: the bound section's path. Default: <c>RollbackKit</c>.</param>
    public TriggerOptionsValidator(IEnumerable<IMetricSource> sources, string? prefix = null)
    {
        _sources = [.. sources];
        Prefix = prefix ?? RollbackKitOptions.SectionName;
    }

    /// <summary>The key path prefix used in messages.</summary>
    public string Prefix { get; }

    public ValidateOptionsResult Validate(string? name, RollbackKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var p = Prefix;
        ValidateTargets(options, errors, p);
        var queriesValid = ValidateQueries(options, errors, p);
        ValidateBaselines(options, errors, p);

        // Compile errors name the trigger, the position and what was expected.
        if (queriesValid && options.Triggers.Count > 0)
        {
            try
            {
                var names = new string[options.Queries.Count];
                for (var i = 0; i < names.Length; i++)
                {
                    names[i] = options.Queries[i].Name;
                }

                // Judge triggers have no condition (JudgeOptionsValidator checks them): a stand-in keeps names and indexes.
                var triggers = options.Triggers.ConvertAll(static t => t?.Judge is null ? t! : new TriggerDefinition { Name = t.Name, Condition = "0 > 1" });
                _ = TriggerCompiler.Compile(names, triggers, options.Baselines);
            }
            catch (TriggerConfigurationException ex)
            {
                errors.Add($"{p}:{ex.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsIdentifier(string text)
    {
        if (text.Length == 0 || !(char.IsAsciiLetter(text[0]) || text[0] == '_'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static void ValidateTargets(RollbackKitOptions options, List<string> errors, string p)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Targets.Count; i++)
        {
            var target = options.Targets[i];
            if (string.IsNullOrWhiteSpace(target.Id))
            {
                errors.Add($"{p}:Targets:{i}:Id: is required.");
            }
            else if (!ids.Add(target.Id))
            {
                errors.Add($"{p}:Targets:{i}:Id: duplicate target id '{target.Id}'.");
            }
        }
    }

    private static void ValidateBaselines(RollbackKitOptions options, List<string> errors, string p)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Baselines.Count; i++)
        {
            var baseline = options.Baselines[i];
            var key = $"{p}:Baselines:{i}";
            if (string.IsNullOrWhiteSpace(baseline.Name) || !IsIdentifier(baseline.Name))
            {
                errors.Add($"{key}:Name: '{baseline.Name}' is not a valid name.");
            }
            else if (!names.Add(baseline.Name) || options.Queries.Exists(q => q.Name == baseline.Name))
            {
                errors.Add($"{key}:Name: duplicate name '{baseline.Name}'.");
            }

            if (!options.Queries.Exists(q => q.Name == baseline.Query))
            {
                errors.Add($"{key}:Query: unknown query '{baseline.Query}'.");
            }

            if (baseline.Window <= TimeSpan.Zero)
            {
                errors.Add($"{key}:Window: must be greater than zero (was {baseline.Window}).");
            }
        }
    }

    private bool ValidateQueries(RollbackKitOptions options, List<string> errors, string p)
    {
        var before = errors.Count;
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Queries.Count; i++)
        {
            var query = options.Queries[i];
            var key = $"{p}:Queries:{i}";
            if (string.IsNullOrWhiteSpace(query.Name))
            {
                errors.Add($"{key}:Name: is required.");
            }
            else if (!IsIdentifier(query.Name))
            {
                errors.Add($"{key}:Name: '{query.Name}' is not a valid name (letters, digits, '_' and '.', starting with a letter or '_').");
            }
            else if (!names.Add(query.Name))
            {
                errors.Add($"{key}:Name: duplicate query name '{query.Name}'.");
            }

            if (string.IsNullOrWhiteSpace(query.Expression))
            {
                errors.Add($"{key}:Expression: is required.");
            }

            if (query.Timeout <= TimeSpan.Zero)
            {
                errors.Add($"{key}:Timeout: must be greater than zero (was {query.Timeout}).");
            }

            if (query.GroupBy is not null && string.IsNullOrWhiteSpace(query.TargetLabel))
            {
                errors.Add($"{key}:TargetLabel: is required when GroupBy is set.");
            }

            ValidateSource(query, key, errors);
        }

        return errors.Count == before;
    }

    private void ValidateSource(MetricQueryDefinition query, string key, List<string> errors)
    {
        if (query.Source is null)
        {
            if (_sources.Length == 0)
            {
                errors.Add($"{key}:Source: no metric source is registered (add one, for example .AddPrometheus(...)).");
            }
            else if (_sources.Length > 1)
            {
                errors.Add($"{key}:Source: is required when several sources are registered ({SourceNames()}).");
            }
        }
        else if (!Array.Exists(_sources, s => string.Equals(s.Name, query.Source, StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"{key}:Source: no metric source named '{query.Source}' is registered (registered: {SourceNames()}).");
        }
    }

    private string SourceNames() => _sources.Length == 0
        ? "none"
        : string.Join(", ", _sources.Select(static s => s.Name));
}
