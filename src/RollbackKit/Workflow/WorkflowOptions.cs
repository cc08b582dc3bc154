using Microsoft.Extensions.Options;

namespace RollbackKit.Workflow;

/// <summary>
/// Settings of the workflow runner: progress, verification, evidence and unfinished rollbacks. Bound from the same keys as
/// before (<c>RollbackKit:Workflow:*</c>), derived from <see cref="RollbackKitOptions"/> when RollbackKit is added; the public
/// configuration shape stays <see cref="RollbackWorkflowOptions"/>.
/// </summary>
internal sealed class WorkflowOptions
{
    /// <summary>How often a running rollback sends a progress notification; zero disables. Default: 2 minutes.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Whether the target is re-checked after the playbook. Default: <see langword="true"/>.</summary>
    public bool VerificationEnabled { get; set; } = true;

    /// <summary>How long the target is re-checked after the playbook; zero checks once. Default: 2 minutes.</summary>
    public TimeSpan VerificationWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Time between health checks during verification. Default: 15 seconds.</summary>
    public TimeSpan VerificationInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Directory for evidence bundles. Default: <c>./rollbackkit/evidence</c>.</summary>
    public string EvidenceDirectory { get; set; } = "./rollbackkit/evidence";

    /// <summary>Whether an evidence bundle is written for each finished rollback. Default: <see langword="true"/>.</summary>
    public bool EvidenceEnabled { get; set; } = true;

    /// <summary>What to do with rollbacks a previous process left unfinished. Default: <see cref="UnfinishedWorkflowPolicy.Resume"/>.</summary>
    public UnfinishedWorkflowPolicy UnfinishedWorkflows { get; set; } = UnfinishedWorkflowPolicy.Resume;

    /// <summary>How often to look for unfinished rollbacks whose lock became free; zero disables. Default: 30 seconds.</summary>
    public TimeSpan UnfinishedScanInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The configuration path these settings come from, for validation messages.</summary>
    public string ConfigurationPath { get; set; } = "RollbackKit:Workflow";
}

/// <summary>Validates <see cref="WorkflowOptions"/>; messages name the configuration key.</summary>
internal sealed class WorkflowOptionsValidator : IValidateOptions<WorkflowOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkflowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var p = options.ConfigurationPath;
        if (options.ProgressInterval < TimeSpan.Zero)
        {
            errors.Add($"{p}:ProgressInterval: must not be negative (was {options.ProgressInterval}).");
        }

        if (options.UnfinishedScanInterval < TimeSpan.Zero)
        {
            errors.Add($"{p}:UnfinishedScanInterval: must not be negative (was {options.UnfinishedScanInterval}).");
        }

        if (options.EvidenceEnabled && string.IsNullOrWhiteSpace(options.EvidenceDirectory))
        {
            errors.Add($"{p}:EvidenceDirectory: is required when EvidenceEnabled is true.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
