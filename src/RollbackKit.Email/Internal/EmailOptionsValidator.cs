using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace RollbackKit.Email.Internal;

/// <summary>Validates <see cref="EmailOptions"/> at start, naming the key path (and value) of each problem.</summary>
/// <param name="keyPath">The key path the options bind from, for example <c>RollbackKit:Email</c>.</param>
internal sealed partial class EmailOptionsValidator(string keyPath) : IValidateOptions<EmailOptions>
{
    /// <summary>The placeholders a subject template may use.</summary>
    internal static readonly string[] SubjectPlaceholders = ["Result", "Target", "Trigger", "Severity", "RollbackId"];

    private readonly string _p = keyPath + ":";

    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            errors.Add($"{_p}Host must be set (the SMTP server).");
        }

        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"{_p}Port: {options.Port} is not a port (1-65535, or 0 for the usual one).");
        }

        if (options.Security == EmailSecurity.None && !options.AllowUnencrypted && !EmailAddresses.IsLoopback(options.Host))
        {
            errors.Add($"{_p}Security: None sends mail and credentials in clear text to '{options.Host}'; use StartTls or SslOnConnect, "
                + $"or set {_p}AllowUnencrypted to true (None is allowed without it only for localhost and loopback addresses).");
        }

        if (!string.IsNullOrEmpty(options.Username) && string.IsNullOrEmpty(options.Password))
        {
            errors.Add($"{_p}Password must be set when {_p}Username is set.");
        }
        else if (string.IsNullOrEmpty(options.Username) && !string.IsNullOrEmpty(options.Password))
        {
            errors.Add($"{_p}Username must be set when {_p}Password is set.");
        }

        if (string.IsNullOrWhiteSpace(options.From))
        {
            errors.Add($"{_p}From must be set (the sender address).");
        }
        else if (!EmailAddresses.TryParse(options.From, out _))
        {
            errors.Add($"{_p}From: '{options.From}' is not an e-mail address.");
        }

        if (options.To.Count == 0)
        {
            errors.Add($"{_p}To must list at least one recipient address.");
        }

        for (var i = 0; i < options.To.Count; i++)
        {
            if (!EmailAddresses.TryParse(options.To[i], out _))
            {
                errors.Add($"{_p}To:{i}: '{options.To[i]}' is not an e-mail address.");
            }
        }

        ValidateSubject(options.Subject, errors);
        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{_p}Timeout: {options.Timeout} must be positive.");
        }

        for (var i = 0; i < options.Results.Count; i++)
        {
            if (!options.Results[i].IsTerminal())
            {
                errors.Add($"{_p}Results:{i}: '{options.Results[i]}' is not a final result (use RolledBack, RollbackFailed, Rejected or NeedsAttention).");
            }
        }

        if (options.EvidenceBaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            errors.Add($"{_p}EvidenceBaseUrl: '{url.OriginalString}' must be an absolute http(s) URL.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private void ValidateSubject(string? subject, List<string> errors)
    {
        if (subject is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(subject))
        {
            errors.Add($"{_p}Subject must not be empty (leave it out for the default '{EmailOptions.DefaultSubject}').");
            return;
        }

        foreach (Match match in Placeholder().Matches(subject))
        {
            var placeholder = match.Groups[1].Value;
            if (Array.IndexOf(SubjectPlaceholders, placeholder) < 0)
            {
                errors.Add($"{_p}Subject: unknown placeholder '{{{placeholder}}}' (use {string.Join(", ", SubjectPlaceholders.Select(static s => "{" + s + "}"))}).");
            }
        }
    }

    [GeneratedRegex(@"\{([^{}]*)\}", RegexOptions.CultureInvariant)]
    internal static partial Regex Placeholder();
}
