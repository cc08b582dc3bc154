namespace RollbackKit.Testing;

/// <summary>One execution of a playbook step that the test host recorded instead of running.</summary>
public sealed record RecordedStep
{
    /// <summary>The configured step type, for example <c>kubernetes.undo</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The step's name: the configured <c>Name</c>, else its type.</summary>
    public required string Name { get; init; }

    /// <summary>The configured <c>Settings</c>, exactly as bound (already checked by the step type's own factory).</summary>
    public required IReadOnlyDictionary<string, string> Settings { get; init; }

    /// <summary>The configured <c>Arguments</c> (for <c>command</c> steps).</summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>The target being rolled back.</summary>
    public required string TargetId { get; init; }

    /// <summary>The rollback the step is part of.</summary>
    public required string RollbackId { get; init; }

    /// <summary>The step's position in the playbook, from 0.</summary>
    public int StepIndex { get; init; }

    /// <summary>The attempt number, from 1.</summary>
    public int Attempt { get; init; }

    /// <summary>When the step ran, on the host's fake clock.</summary>
    public DateTimeOffset At { get; init; }
}

/// <summary>One request the test host's dispatcher received, with the real dispatcher's answer.</summary>
/// <param name="Request">The request (from a trigger, or one the test made).</param>
/// <param name="Result">What the dispatcher did: started, joined, refused (with the reason in <see cref="Dispatch.DispatchResult.Message"/>), ….</param>
public sealed record RecordedDispatch(RollbackRequest Request, Dispatch.DispatchResult Result);
