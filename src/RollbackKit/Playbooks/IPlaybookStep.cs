
namespace RollbackKit.Playbooks;

/// <summary>One step of a rollback playbook (undo a rollout, roll back a Helm release, drain traffic, check health, …).</summary>
public interface IPlaybookStep
{
    /// <summary>Name of the step as shown in notifications and the audit record.</summary>
    string Name { get; }

    /// <summary>Runs the step once. Timeouts and retries are applied by the workflow around this call.</summary>
    /// <param name="context">The rollback being executed.</param>
    /// <param name="cancellationToken">Cancelled on step timeout or shutdown.</param>
    /// <returns>The outcome. Throwing counts as a failure with the exception's message.</returns>
    ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken);
}

/// <summary>The outcome of one step execution.</summary>
public readonly record struct StepResult
{
    /// <summary>Whether the step succeeded.</summary>
    public bool Succeeded { get; init; }

    /// <summary>A short summary for people.</summary>
    public string? Message { get; init; }

    /// <summary>Whether the failure is worth retrying (a timeout, a 5xx). Default: <see langword="true"/>.</summary>
    public bool Transient { get; init; }

    /// <summary>A successful result.</summary>
    /// <param name="message">Optional summary.</param>
    public static StepResult Success(string? message = null) => new() { Succeeded = true, Message = message };

    /// <summary>A failed result.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="transient">Whether a retry may help.</param>
    public static StepResult Failure(string message, bool transient = true) => new() { Succeeded = false, Message = message, Transient = transient };
}

/// <summary>Receives evidence (text files) for a rollback's evidence bundle.</summary>
public interface IEvidenceSink
{
    /// <summary>Adds a text item to the evidence bundle, for example <c>kubernetes/replicasets.json</c>. Callers redact secrets first.</summary>
    /// <param name="name">Relative file name inside the bundle.</param>
    /// <param name="content">The content.</param>
    void Add(string name, string content);
}

/// <summary>Everything a step needs to know about the rollback it is part of.</summary>
public sealed class PlaybookStepContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="rollbackId">The rollback id.</param>
    /// <param name="request">The request being executed.</param>
    /// <param name="evidence">Where to put evidence.</param>
    /// <param name="services">The application's services.</param>
    /// <param name="timeProvider">The clock.</param>
    public PlaybookStepContext(string rollbackId, RollbackRequest request, IEvidenceSink evidence, IServiceProvider services, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(rollbackId);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(timeProvider);
        RollbackId = rollbackId;
        Request = request;
        Evidence = evidence;
        Services = services;
        TimeProvider = timeProvider;
    }

    /// <summary>The rollback id.</summary>
    public string RollbackId { get; }

    /// <summary>The request being executed.</summary>
    public RollbackRequest Request { get; }

    /// <summary>The target being rolled back.</summary>
    public RollbackTarget Target => Request.Target;

    /// <summary>Where to put evidence for the bundle.</summary>
    public IEvidenceSink Evidence { get; }

    /// <summary>
    /// The application's services. Kept on the public context on purpose: steps written by users (for example with
    /// <c>AddPlaybookStep</c>) are delegates registered before the container exists, and this is how they reach their own
    /// dependencies. RollbackKit's own steps and workflow never resolve anything through it.
    /// </summary>
    public IServiceProvider Services { get; }

    /// <summary>The clock to use for any waiting.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The attempt number of this execution, starting at 1.</summary>
    public int Attempt { get; set; } = 1;

    /// <summary>The position of the step being run in the playbook, from 0.</summary>
    public int StepIndex { get; set; }

    /// <summary>
    /// A key unique to this execution of this step of this rollback (<c>{rollbackId}:{stepIndex}:{attempt}</c>; for a member of a
    /// coordinated group's rollback <c>{rollbackId}:{targetId}:{stepIndex}:{attempt}</c>), for systems that deduplicate requests:
    /// <c>command</c> steps get it in <c>ROLLBACKKIT_IDEMPOTENCY_KEY</c>, <c>http</c> steps in an <c>Idempotency-Key</c> header.
    /// </summary>
    public string IdempotencyKey => GroupMember ? $"{RollbackId}:{Target.Id}:{StepIndex}:{Attempt}" : $"{RollbackId}:{StepIndex}:{Attempt}";

    /// <summary>Whether the step runs for one member of a coordinated group's rollback (whose members share the rollback id).</summary>
    internal bool GroupMember { get; set; }
}
