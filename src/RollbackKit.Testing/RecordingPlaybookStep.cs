using RollbackKit.Playbooks;

namespace RollbackKit.Testing;

/// <summary>
/// A playbook step that records each execution and returns a configurable result. It is also its own
/// <see cref="IPlaybookStepFactory"/> for step type <see cref="Type"/>, so configuration can refer to it.
/// </summary>
public sealed class RecordingPlaybookStep : IPlaybookStep, IPlaybookStepFactory
{
    private readonly List<PlaybookStepContext> _executions = [];
    private readonly Lock _gate = new();
    private readonly Func<PlaybookStepContext, CancellationToken, ValueTask<StepResult>>? _behaviour;

    /// <summary>Creates a recording step.</summary>
    /// <param name="type">The step type configuration refers to. Default: <c>recording</c>.</param>
    /// <param name="behaviour">What an execution does; default: succeed at once.</param>
    public RecordingPlaybookStep(string type = "recording", Func<PlaybookStepContext, CancellationToken, ValueTask<StepResult>>? behaviour = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        Type = type;
        _behaviour = behaviour;
    }

    /// <inheritdoc />
    public string Name => Type;

    /// <inheritdoc />
    public string Type { get; }

    /// <summary>The contexts of every execution so far.</summary>
    public IReadOnlyList<PlaybookStepContext> Executions
    {
        get
        {
            lock (_gate)
            {
                return _executions.ToArray();
            }
        }
    }

    /// <summary>How many times the step ran.</summary>
    public int ExecutionCount
    {
        get
        {
            lock (_gate)
            {
                return _executions.Count;
            }
        }
    }

    /// <inheritdoc />
    public IPlaybookStep Create(PlaybookStepDefinition definition) => this;

    /// <inheritdoc />
    public ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        lock (_gate)
        {
            _executions.Add(context);
        }

        return _behaviour?.Invoke(context, cancellationToken) ?? ValueTask.FromResult(StepResult.Success("recorded"));
    }
}
