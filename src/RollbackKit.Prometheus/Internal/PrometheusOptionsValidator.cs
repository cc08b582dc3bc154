using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace RollbackKit.Prometheus.Internal;

/// <summary>Validates <see cref="PrometheusOptions"/> at start; every message starts with the configuration key path.</summary>
internal sealed partial class PrometheusOptionsValidator(string sectionPath) : IValidateOptions<PrometheusOptions>
{
    public string SectionPath { get; } = sectionPath;

    public ValidateOptionsResult Validate(string? name, PrometheusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var p = SectionPath;
        if (options.BaseAddress is null)
        {
            failures.Add($"{p}:BaseAddress: required");
        }
        else if (!options.BaseAddress.IsAbsoluteUri || options.BaseAddress.Scheme is not ("http" or "https"))
        {
            failures.Add($"{p}:BaseAddress: must be an absolute http:// or https:// URI (got '{options.BaseAddress.OriginalString}')");
        }
        else if (!string.IsNullOrEmpty(options.BaseAddress.UserInfo))
        {
            failures.Add($"{p}:BaseAddress: must not contain credentials; set Username and Password instead");
        }

        if (string.IsNullOrWhiteSpace(options.SourceName))
        {
            failures.Add($"{p}:SourceName: required");
        }

        if (string.IsNullOrWhiteSpace(options.Interval) || !DurationPattern().IsMatch(options.Interval))
        {
            failures.Add($"{p}:Interval: must be a PromQL duration such as 5m or 1h30m (got '{options.Interval}')");
        }

        if (!string.IsNullOrEmpty(options.BearerToken) && !string.IsNullOrEmpty(options.Username))
        {
            failures.Add($"{p}:BearerToken: cannot be combined with Username/Password; choose one authentication scheme");
        }

        if (string.IsNullOrEmpty(options.Username) != string.IsNullOrEmpty(options.Password))
        {
            failures.Add(string.IsNullOrEmpty(options.Username) ? $"{p}:Username: required when Password is set" : $"{p}:Password: required when Username is set");
        }

        foreach (var header in options.Headers)
        {
            if (string.IsNullOrWhiteSpace(header.Key) || !HeaderNamePattern().IsMatch(header.Key))
            {
                failures.Add($"{p}:Headers:{header.Key}: not a valid header name");
            }
            else if (header.Value is null || header.Value.AsSpan().ContainsAny('\r', '\n'))
            {
                failures.Add($"{p}:Headers:{header.Key}: the value must be a single line");
            }
        }

        if (!string.IsNullOrEmpty(options.CaFile) && !File.Exists(options.CaFile))
        {
            failures.Add($"{p}:CaFile: file not found: {options.CaFile}");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add($"{p}:MaxRetries: must be between 0 and 10");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{p}:RetryDelay: must be between 0 and 1 minute");
        }

        if (options.MaxConcurrency < 1)
        {
            failures.Add($"{p}:MaxConcurrency: must be at least 1");
        }

        if (options.MaxResponseBytes < 1024)
        {
            failures.Add($"{p}:MaxResponseBytes: must be at least 1024");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^([0-9]+(ms|s|m|h|d|w|y))+$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderNamePattern();
}
