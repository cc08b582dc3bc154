using Microsoft.Extensions.Options;

namespace RollbackKit.Prometheus.Alertmanager;

/// <summary>Validates <see cref="AlertmanagerSignalOptions"/> at start; messages start with the key path.</summary>
internal sealed class AlertmanagerSignalOptionsValidator(string sectionPath) : IValidateOptions<AlertmanagerSignalOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertmanagerSignalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.SeverityLabel))
        {
            failures.Add($"{sectionPath}:SeverityLabel: required");
        }

        if (options.MaxRememberedFingerprints < 1)
        {
            failures.Add($"{sectionPath}:MaxRememberedFingerprints: must be at least 1");
        }

        foreach (var selector in options.Selectors)
        {
            if (string.IsNullOrWhiteSpace(selector.Key))
            {
                failures.Add($"{sectionPath}:Selectors: a selector label name is empty");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
