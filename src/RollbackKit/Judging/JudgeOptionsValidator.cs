using Microsoft.Extensions.Options;
using RollbackKit.Triggers;
using RollbackKit.Metrics;

namespace RollbackKit.Judging;

/// <summary>
/// Validates the judge triggers (<c>Triggers:N:Judge</c>) at start; every message names the key path and the value, for
/// example <c>RollbackKit:Triggers:2:Judge:Metrics:0:Weight: must be greater than zero (was -1).</c>
/// </summary>
internal sealed class JudgeOptionsValidator(IEnumerable<IMetricHistorySource> sources, string? prefix = null) : IValidateOptions<RollbackKitOptions>
{
    private readonly IMetricHistorySource[] _sources = [.. sources];
    private readonly string _prefix = prefix ?? RollbackKitOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, RollbackKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.Triggers.Count; i++)
        {
            if (options.Triggers[i] is { Judge: { } judge } trigger)
            {
                ValidateTrigger(trigger, judge, $"{_prefix}:Triggers:{i}", errors);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private void ValidateTrigger(TriggerDefinition trigger, JudgeDefinition judge, string key, List<string> errors)
    {
        if (!string.IsNullOrWhiteSpace(trigger.Condition))
        {
            errors.Add($"{key}:Condition: must be empty on a judge trigger (was '{trigger.Condition}'); the judge decides.");
        }

        if (trigger.For != TimeSpan.Zero || trigger.FailureLimit != 0 || trigger.ConsecutiveFailureLimit != 0 || trigger.FailureWindow is not null)
        {
            errors.Add($"{key}: For, FailureLimit, ConsecutiveFailureLimit and FailureWindow do not apply to a judge trigger (its Window does); remove them.");
        }

        if (!Enum.IsDefined(trigger.Severity))
        {
            errors.Add($"{key}:Severity: unknown value '{trigger.Severity}'.");
        }

        if (!Enum.IsDefined(trigger.Action))
        {
            errors.Add($"{key}:Action: unknown value '{trigger.Action}'.");
        }

        errors.AddRange(JudgeValidation.Validate(judge, key + ":Judge"));
        for (var m = 0; m < judge.Metrics.Count; m++)
        {
            if (judge.Metrics[m] is not { } metric)
            {
                continue;
            }

            var sourceKey = $"{key}:Judge:Metrics:{m}:Source";
            if (metric.Source is null)
            {
                if (_sources.Length == 0)
                {
                    errors.Add($"{sourceKey}: no history source is registered (add one, for example .AddPrometheus(...)).");
                }
                else if (_sources.Length > 1)
                {
                    errors.Add($"{sourceKey}: is required when several history sources are registered ({SourceNames()}).");
                }
            }
            else if (!Array.Exists(_sources, s => string.Equals(s.Name, metric.Source, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"{sourceKey}: no history source named '{metric.Source}' is registered (registered: {SourceNames()}).");
            }
        }
    }

    private string SourceNames() => _sources.Length == 0 ? "none" : string.Join(", ", _sources.Select(static s => s.Name));
}
