using System.Globalization;
using Microsoft.Extensions.Options;
using RollbackKit.Playbooks;

namespace RollbackKit.Internal;

/// <summary>
/// Validates the top-level settings of <see cref="RollbackKitOptions"/> at start: the evaluation interval, the workflow
/// and the playbooks. Every message names the configuration key path, for example
/// <c>RollbackKit:Playbook:Steps:0:Timeout: must be greater than zero</c>. Targets, queries, baselines and triggers are
/// validated by <see cref="Triggers.TriggerOptionsValidator"/>.
/// </summary>
internal sealed class RollbackKitOptionsValidator : IValidateOptions<RollbackKitOptions>
{
    private readonly IPlaybookStepFactory[] _stepFactories;

    public RollbackKitOptionsValidator(IEnumerable<IPlaybookStepFactory> stepFactories, RollbackKitSection? section = null)
    {
        Prefix = section?.Path ?? RollbackKitOptions.SectionName;
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

        ValidateWorkflow(options.Workflow, errors, $"{p}:Workflow");
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

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
