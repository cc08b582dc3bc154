using System.ComponentModel.DataAnnotations;

namespace RollbackKit.Playbooks;

/// <summary>One configured playbook step, under <c>RollbackKit:Playbook:Steps</c> or a target's <c>Playbook:Steps</c>.</summary>
public sealed class PlaybookStepDefinition
{
    /// <summary>Step type, resolved through the registered <see cref="IPlaybookStepFactory"/> instances: for example
    /// <c>http</c>, <c>command</c>, <c>delay</c>, <c>kubernetes.undo</c>, <c>helm.rollback</c>.</summary>
    [Required]
    public string Type { get; set; } = string.Empty;

    /// <summary>Display name. Default: the type.</summary>
    public string? Name { get; set; }

    /// <summary>Time allowed for one attempt. Default: 60 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after a failed attempt (0 = run once). Default: 0.</summary>
    [Range(0, 100)]
    public int Retries { get; set; }

    /// <summary>Delay before the first retry; doubles each retry. Default: 2 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Expected duration (SLA) of the step; exceeding it is recorded and notified. Default: unset.</summary>
    public TimeSpan? ExpectedDuration { get; set; }

    /// <summary>Carry on with the next step when this one fails. Default: <see langword="false"/> (abort the playbook).</summary>
    public bool ContinueOnFailure { get; set; }

    /// <summary>Type-specific settings (for example <c>url</c>, <c>expectedStatus</c>, <c>deployment</c>).</summary>
    public Dictionary<string, string> Settings { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Arguments for steps that take a list (for example <c>command</c>'s argument list).</summary>
    public List<string> Arguments { get; set; } = [];
}

/// <summary>A playbook: ordered steps and a time budget.</summary>
public sealed class PlaybookDefinition
{
    /// <summary>The steps, run in order.</summary>
    public List<PlaybookStepDefinition> Steps { get; set; } = [];

    /// <summary>Total time budget (SLA) for the playbook; exceeding it notifies. Default: 5 minutes.</summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Creates steps of one <see cref="Type"/> from configuration. Adapters register factories for their step types.</summary>
public interface IPlaybookStepFactory
{
    /// <summary>The step type this factory creates, for example <c>kubernetes.undo</c> (case-insensitive).</summary>
    string Type { get; }

    /// <summary>Creates a step. Called at start for validation and when a playbook is built.</summary>
    /// <param name="definition">The step's configuration.</param>
    /// <returns>The step.</returns>
    /// <exception cref="PlaybookConfigurationException">A setting is missing or invalid.</exception>
    IPlaybookStep Create(PlaybookStepDefinition definition);
}

/// <summary>A playbook step's configuration is invalid. The message names the setting; start-up validation prefixes the key path.</summary>
public sealed class PlaybookConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PlaybookConfigurationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the setting.</param>
    public PlaybookConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the setting.</param>
    /// <param name="innerException">The cause.</param>
    public PlaybookConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a named setting.</summary>
    /// <param name="setting">The setting name, for example <c>url</c>.</param>
    /// <param name="message">What is wrong.</param>
    public PlaybookConfigurationException(string setting, string message)
        : base($"Settings:{setting}: {message}")
    {
        Setting = setting;
    }

    /// <summary>The setting that is wrong, if known.</summary>
    public string? Setting { get; }
}
