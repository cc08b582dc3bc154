using Microsoft.Extensions.Options;

namespace RollbackKit.Prometheus.Alertmanager;

/// <summary>Validates <see cref="AlertmanagerSignalOptions"/> at start; messages start with the key path.</summary>
internal sealed class AlertmanagerSignalOptionsValidator(string sectionPath) : IValidateOptions<AlertmanagerSignalOptions>
{
    /// <summary>The key path the options bind from, for example <c>RollbackKit:Alertmanager</c>.</summary>
    public string SectionPath => sectionPath;

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

        var hasBearer = !string.IsNullOrEmpty(options.BearerToken);
        var hasUser = !string.IsNullOrEmpty(options.Username);
        var hasPassword = !string.IsNullOrEmpty(options.Password);
        if (hasUser && !hasPassword)
        {
            failures.Add($"{sectionPath}:Password: required when {sectionPath}:Username is set (HTTP basic authentication needs both)");
        }
        else if (hasPassword && !hasUser)
        {
            failures.Add($"{sectionPath}:Username: required when {sectionPath}:Password is set (HTTP basic authentication needs both)");
        }

        if (hasUser && options.Username!.Contains(':', StringComparison.Ordinal))
        {
            failures.Add($"{sectionPath}:Username: '{options.Username}' contains ':', which HTTP basic authentication cannot carry in a user name");
        }

        if (!hasBearer && !hasUser && !hasPassword && !options.AllowAnonymous)
        {
            failures.Add(
                $"{sectionPath}:BearerToken: no credentials are configured, so anyone could request rollbacks; set {sectionPath}:BearerToken " +
                $"(Alertmanager http_config.authorization) or {sectionPath}:Username and {sectionPath}:Password (http_config.basic_auth), " +
                $"or set {sectionPath}:AllowAnonymous to true to accept anonymous requests");
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
