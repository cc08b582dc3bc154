using System.Globalization;
using Microsoft.Extensions.Options;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;

namespace RollbackKit.Internal;

/// <summary>
/// Validates <see cref="RollbackKitOptions"/> at start. Every message names the configuration key path, for example
/// <c>RollbackKit:Triggers:2:Condition: unknown name 'eror_rate' at 1</c>.
/// </summary>
internal sealed class RollbackKitOptionsValidator : IValidateOptions<RollbackKitOptions>
{
    private readonly IMetricSource[] _sources;
    private readonly IPlaybookStepFactory[] _stepFactories;

    public RollbackKitOptionsValidator(IEnumerable<IMetricSource> sources, IEnumerable<IPlaybookStepFactory> stepFactories, RollbackKitSection? section = null)
    {
        Prefix = section?.Path ?? RollbackKitOptions.SectionName;
        _sources = sources.ToArray();
        _stepFactories = stepFactories.ToArray();
    }

    /// <summary>The key path prefix used in messages.</summary>
    public string Prefix { get; }

    public ValidateOptionsResult Validate(string? name, RollbackKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var p = Prefix;

        if (options.EvaluationInterval <= TimeSpan.Zero)
        {
            errors.Add($"{p}:EvaluationInterval: must be greater than zero (was {options.EvaluationInterval}).");
        }

        ValidateTargets(options, errors, p);
        ValidateWorkflow(options.Workflow, errors, $"{p}:Workflow");
        var queriesValid = ValidateQueries(options, errors, p);
        ValidateBaselines(options, errors, p);

        // The engine compiles every condition; compile errors name the trigger, the position and what was expected.
        if (queriesValid && options.Triggers.Count > 0)
        {
            try
            {
                var names = new string[options.Queries.Count];
                for (var i = 0; i < names.Length; i++)
                {
                    names[i] = options.Queries[i].Name;
                }

                _ = new EvaluationEngine([], names, options.Triggers, options.Baselines);
            }
            catch (TriggerConfigurationException ex)
            {
                errors.Add($"{p}:{ex.Message}");
            }
        }

        ValidatePlaybook(options.Playbook, $"{p}:Playbook", errors);
        for (var i = 0; i < options.Targets.Count; i++)
        {
            if (options.Targets[i].Playbook is { } playbook)
            {
                ValidatePlaybook(playbook, $"{p}:Targets:{i}:Playbook", errors);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateWorkflow(Workflow.RollbackWorkflowOptions workflow, List<string> errors, string p)
    {
        if (workflow.DeduplicationWindow <= TimeSpan.Zero)
        {
            errors.Add($"{p}:DeduplicationWindow: must be greater than zero (was {workflow.DeduplicationWindow}).");
        }

        if (workflow.NotifierDrainTimeout < TimeSpan.Zero)
        {
            errors.Add($"{p}:NotifierDrainTimeout: must not be negative (was {workflow.NotifierDrainTimeout}).");
        }
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

        return errors.Count == before;
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

    private void ValidatePlaybook(PlaybookDefinition playbook, string key, List<string> errors)
    {
        if (playbook.Budget <= TimeSpan.Zero)
        {
            errors.Add($"{key}:Budget: must be greater than zero (was {playbook.Budget}).");
        }

        for (var i = 0; i < playbook.Steps.Count; i++)
        {
            var step = playbook.Steps[i];
            var stepKey = $"{key}:Steps:{i}";
            if (step.Timeout <= TimeSpan.Zero)
            {
                errors.Add($"{stepKey}:Timeout: must be greater than zero (was {step.Timeout}).");
            }

            if (step.RetryDelay < TimeSpan.Zero)
            {
                errors.Add($"{stepKey}:RetryDelay: must not be negative.");
            }

            if (step.Retries < 0)
            {
                errors.Add($"{stepKey}:Retries: must not be negative.");
            }

            if (string.IsNullOrWhiteSpace(step.Type))
            {
                errors.Add($"{stepKey}:Type: is required.");
                continue;
            }

            var factory = Array.Find(_stepFactories, f => string.Equals(f.Type, step.Type, StringComparison.OrdinalIgnoreCase));
            if (factory is null)
            {
                var known = string.Join(", ", _stepFactories.Select(static f => f.Type).Order(StringComparer.Ordinal));
                errors.Add($"{stepKey}:Type: unknown step type '{step.Type}' (known: {(known.Length == 0 ? "none registered" : known)}).");
                continue;
            }

            try
            {
                _ = factory.Create(step);
            }
            catch (PlaybookConfigurationException ex)
            {
                errors.Add(ex.Setting is null ? $"{stepKey}: {ex.Message}" : $"{stepKey}:{ex.Message}");
            }
        }
    }

    private string SourceNames() => _sources.Length == 0
        ? "none"
        : string.Join(", ", _sources.Select(static s => s.Name));

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

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
