namespace RollbackKit.Testing;

/// <summary>One execution of a playbook step that the test host recorded instead of running.</summary>
/// <param name="Type">The configured step type, for example <c>kubernetes.undo</c>.</param>
/// <param name="Name">The step's name: the configured <c>Name</c>, else its type.</param>
/// <param name="Settings">The configured <c>Settings</c>, exactly as bound (already validated by the step type's own factory).</param>
/// <param name="Arguments">The configured <c>Arguments</c> (for <c>command</c> steps).</param>
/// <param name="TargetId">The target being rolled back.</param>
/// <param name="RollbackId">The rollback the step is part of.</param>
/// <param name="StepIndex">The step's position in the playbook, from 0.</param>
/// <param name="Attempt">The attempt number, from 1.</param>
/// <param name="At">When the step ran, on the host's fake clock.</param>
public sealed record RecordedStep(
    string Type,
    string Name,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyList<string> Arguments,
    string TargetId,
    string RollbackId,
    int StepIndex,
    int Attempt,
    DateTimeOffset At);

/// <summary>One request the test host's dispatcher received, with the real dispatcher's answer.</summary>
/// <param name="Request">The request (from a trigger, or one the test made).</param>
/// <param name="Result">What the dispatcher did: started, joined, refused (with the reason in <see cref="Dispatch.DispatchResult.Message"/>), ….</param>
public sealed record RecordedDispatch(RollbackRequest Request, Dispatch.DispatchResult Result);
