using System.Globalization;
using Microsoft.Extensions.Options;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Internal;

/// <summary>
/// The one validator of <see cref="RollbackKitOptions"/>, run at start: the binding problems (values that do not convert,
/// unknown keys), the evaluation interval, the workflow, the journal path, the playbooks, the query placeholders and, through
/// <see cref="TriggerOptionsValidator"/>, targets, queries, baselines and triggers. The result lists every problem, one line
/// each, each starting with its configuration key path, for example
/// <c>RollbackKit:Playbook:Steps:0:Timeout: must be greater than zero</c>.
/// </summary>
internal sealed partial class RollbackKitOptionsValidator : IValidateOptions<RollbackKitOptions>
{
    private readonly IPlaybookStepFactory[] _stepFactories;
    private readonly TriggerOptionsValidator? _triggers;
    private readonly ConfigurationBindingErrors<RollbackKitOptions>? _binding;

    public RollbackKitOptionsValidator(
        IEnumerable<IPlaybookStepFactory> stepFactories,
        RollbackKitSection? section = null,
        TriggerOptionsValidator? triggers = null,
        ConfigurationBindingErrors<RollbackKitOptions>? binding = null)
    {
        Prefix = section?.Path ?? RollbackKitOptions.SectionName;
        _stepFactories = stepFactories.ToArray();
        _triggers = triggers;
        _binding = binding;
    }

    /// <summary>The key path prefix used in messages.</summary>
    public string Prefix { get; }

    public ValidateOptionsResult Validate(string? name, RollbackKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (_binding is not null)
        {
            errors.AddRange(_binding.Get(name));
        }

        var p = Prefix;
        if (options.EvaluationInterval <= TimeSpan.Zero)
        {
            errors.Add($"{p}:EvaluationInterval: must be greater than zero (was {options.EvaluationInterval}).");
        }

        ValidateWorkflow(options.Workflow, errors, $"{p}:Workflow");
        ValidatePlaybooks(options, errors, p);
        ValidatePlaceholders(options, errors, p);
        Groups.GroupOptionsValidation.Validate(options, errors, p);
        if (_triggers?.Validate(name, options) is { Failed: true, Failures: { } failures })
        {
            errors.AddRange(failures);
        }

        return StartupProblems.Result(errors);
    }

    private static void ValidateWorkflow(Workflow.RollbackWorkflowOptions workflow, List<string> errors, string p)
    {
        if (workflow.DeduplicationWindow <= TimeSpan.Zero)
        {
            errors.Add($"{p}:DeduplicationWindow: must be greater than zero (was {workflow.DeduplicationWindow}).");
        }

        if (workflow.MaxAttemptsPerTarget < 1)
        {
            errors.Add(Invariant($"{p}:MaxAttemptsPerTarget: must be at least 1 (was {workflow.MaxAttemptsPerTarget})."));
        }

        NotNegative(errors, p, "AttemptWindow", workflow.AttemptWindow);
        NotNegative(errors, p, "Cooldown", workflow.Cooldown);
        NotNegative(errors, p, "AcknowledgementTimeout", workflow.AcknowledgementTimeout);
        NotNegative(errors, p, "ApprovalTimeout", workflow.ApprovalTimeout);
        NotNegative(errors, p, "NotifierDrainTimeout", workflow.NotifierDrainTimeout);
        NotNegative(errors, p, "ProgressInterval", workflow.ProgressInterval);
        Positive(errors, p, "NotifierTimeout", workflow.NotifierTimeout);
        NotNegative(errors, p, "VerificationWindow", workflow.VerificationWindow);
        NotNegative(errors, p, "VerificationInterval", workflow.VerificationInterval);
        NotNegative(errors, p, "UnfinishedScanInterval", workflow.UnfinishedScanInterval);
        JournalPathCheck.Validate(workflow.JournalPath, $"{p}:JournalPath", errors);
    }

    private static void NotNegative(List<string> errors, string p, string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            errors.Add($"{p}:{key}: must not be negative (was {value}).");
        }
    }

    private static void Positive(List<string> errors, string p, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{p}:{key}: must be greater than zero (was {value}).");
        }
    }

    private void ValidatePlaybooks(RollbackKitOptions options, List<string> errors, string p)
    {
        // No target may run an empty playbook: it would do nothing and report success. The default playbook runs for every
        // target without its own (requests for unknown targets are rejected), so it must have steps as soon as one uses it.
        ValidatePlaybook(options.Playbook, $"{p}:Playbook", usedBy: null, errors);
        for (var i = 0; i < options.Targets.Count; i++)
        {
            var target = options.Targets[i];
            if (target is null)
            {
                continue;
            }

            if (target.Playbook is { } playbook)
            {
                ValidatePlaybook(playbook, $"{p}:Targets:{i}:Playbook", target.Id, errors);
            }
            else if (options.Playbook.Steps.Count == 0)
            {
                errors.Add($"{p}:Playbook:Steps: target '{target.Id}' ({p}:Targets:{i}) has no playbook of its own and the default playbook has no steps, so its rollback would do nothing and report success; add steps to {p}:Playbook:Steps or set {p}:Targets:{i}:Playbook.");
            }
        }
    }

    private void ValidatePlaybook(PlaybookDefinition playbook, string key, string? usedBy, List<string> errors)
    {
        if (playbook.Budget <= TimeSpan.Zero)
        {
            errors.Add($"{key}:Budget: must be greater than zero (was {playbook.Budget}).");
        }

        if (usedBy is not null && playbook.Steps.Count == 0)
        {
            errors.Add($"{key}:Steps: the playbook of target '{usedBy}' has no steps, so its rollback would do nothing and report success; add at least one step.");
        }

        for (var i = 0; i < playbook.Steps.Count; i++)
        {
            var step = playbook.Steps[i];
            var stepKey = $"{key}:Steps:{i}";
            if (step is null)
            {
                errors.Add($"{stepKey}: is empty.");
                continue;
            }

            if (step.Timeout <= TimeSpan.Zero)
            {
                errors.Add($"{stepKey}:Timeout: must be greater than zero (was {step.Timeout}).");
            }

            if (step.RetryDelay < TimeSpan.Zero)
            {
                errors.Add($"{stepKey}:RetryDelay: must not be negative (was {step.RetryDelay}).");
            }

            if (step.ExpectedDuration is { } expected && expected <= TimeSpan.Zero)
            {
                errors.Add($"{stepKey}:ExpectedDuration: must be greater than zero (was {expected}).");
            }

            if (step.Retries < 0)
            {
                errors.Add(Invariant($"{stepKey}:Retries: must not be negative (was {step.Retries})."));
            }

            ValidateStepType(step, stepKey, errors);
        }
    }

    private void ValidateStepType(PlaybookStepDefinition step, string stepKey, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(step.Type))
        {
            errors.Add($"{stepKey}:Type: is required.");
            return;
        }

        var factory = Array.Find(_stepFactories, f => string.Equals(f.Type, step.Type, StringComparison.OrdinalIgnoreCase));
        if (factory is null)
        {
            var known = _stepFactories.Select(static f => f.Type).Order(StringComparer.Ordinal).ToArray();
            var nearest = StrictConfigurationBinder.Nearest(step.Type, known);
            var hint = nearest is null ? string.Empty : $" Did you mean '{nearest}'?";
            errors.Add($"{stepKey}:Type: unknown step type '{step.Type}' (known: {(known.Length == 0 ? "none registered" : string.Join(", ", known))}).{hint}");
            return;
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

    /// <summary>
    /// Every <c>{{label}}</c> in a query must be filled by every target's labels (or be a source's built-in such as <c>interval</c>);
    /// <c>{{targets}}</c> is reserved for grouped queries.
    /// </summary>
    private static void ValidatePlaceholders(RollbackKitOptions options, List<string> errors, string p)
    {
        for (var q = 0; q < options.Queries.Count; q++)
        {
            var query = options.Queries[q];
            if (query is null || string.IsNullOrEmpty(query.Expression))
            {
                continue;
            }

            foreach (var placeholder in QueryTemplate.GetPlaceholders(query.Expression))
            {
                if (string.Equals(placeholder, "interval", StringComparison.Ordinal))
                {
                    continue;
                }

                // '{{targets}}' is reserved: in a grouped query the source fills it with every target of the request.
                if (string.Equals(placeholder, "targets", StringComparison.Ordinal))
                {
                    if (string.IsNullOrEmpty(query.GroupBy))
                    {
                        errors.Add($"{p}:Queries:{q}:Expression: placeholder '{{{{targets}}}}' is reserved for queries with GroupBy (it matches every target of the grouped request); set GroupBy or use a per-target label such as '{{{{name}}}}'.");
                    }

                    continue;
                }

                for (var t = 0; t < options.Targets.Count; t++)
                {
                    var target = options.Targets[t];
                    if (target is null || string.IsNullOrWhiteSpace(target.Id) || target.Labels.ContainsKey(placeholder))
                    {
                        continue;
                    }

                    errors.Add($"{p}:Queries:{q}:Expression: placeholder '{{{{{placeholder}}}}}' is not filled by target '{target.Id}' ({p}:Targets:{t}:Labels); add the label '{placeholder}' to the target or remove the placeholder.");
                }
            }
        }
    }

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
