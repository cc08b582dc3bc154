using Microsoft.Extensions.Options;

namespace RollbackKit.Journal;

/// <summary>Journal settings, from <c>RollbackKit:Workflow:JournalPath</c> (derived from <see cref="RollbackKitOptions"/>).</summary>
internal sealed class JournalOptions
{
    /// <summary>The append-only JSON Lines journal file. Default: <c>./rollbackkit/journal.jsonl</c>.</summary>
    public string Path { get; set; } = "./rollbackkit/journal.jsonl";

    /// <summary>The configuration path these settings come from, for validation messages.</summary>
    public string ConfigurationPath { get; set; } = "RollbackKit:Workflow";
}

/// <summary>Validates <see cref="JournalOptions"/>; messages name the configuration key.</summary>
internal sealed class JournalOptionsValidator : IValidateOptions<JournalOptions>
{
    public ValidateOptionsResult Validate(string? name, JournalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.Path)
            ? ValidateOptionsResult.Fail($"{options.ConfigurationPath}:JournalPath: is required.")
            : ValidateOptionsResult.Success;
    }
}
