using System.Collections.Concurrent;
using RollbackKit.Playbooks;

namespace RollbackKit.Testing;

/// <summary>Holds the steps the test host recorded and the results tests asked some step types to return.</summary>
internal sealed class StepRecorder(TimeProvider time)
{
    private readonly List<RecordedStep> _steps = [];
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, Func<RecordedStep, StepResult>> _responses = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<RecordedStep> Steps
    {
        get
        {
            lock (_gate)
            {
                return _steps.ToArray();
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _steps.Count;
            }
        }
    }

    public void Respond(string typeOrName, Func<RecordedStep, StepResult> respond) => _responses[typeOrName] = respond;

    public StepResult Record(PlaybookStepDefinition definition, string name, PlaybookStepContext context)
    {
        var step = new RecordedStep
        {
            Type = definition.Type,
            Name = name,
            Settings = new Dictionary<string, string>(definition.Settings ?? [], StringComparer.OrdinalIgnoreCase),
            Arguments = [.. definition.Arguments ?? []],
            TargetId = context.Target.Id,
            RollbackId = context.RollbackId,
            StepIndex = context.StepIndex,
            Attempt = context.Attempt,
            At = time.GetUtcNow(),
        };
        lock (_gate)
        {
            _steps.Add(step);
        }

        return _responses.TryGetValue(name, out var respond) || _responses.TryGetValue(definition.Type, out respond)
            ? respond(step)
            : StepResult.Success($"recorded {definition.Type}");
    }
}

/// <summary>
/// Wraps a step type's real factory: <see cref="Create"/> first lets the real factory create the step, which is where every
/// step type checks its settings (an unknown key, a bad duration, no kubeconfig …), so configuration errors surface exactly as
/// at start; then it returns a step that only records its executions.
/// </summary>
internal sealed class RecordingStepFactory(IPlaybookStepFactory real, StepRecorder recorder) : IPlaybookStepFactory
{
    public string Type => real.Type;

    public IPlaybookStep Create(PlaybookStepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var validated = real.Create(definition);
        return new RecordedPlaybookStep(definition, string.IsNullOrWhiteSpace(definition.Name) ? validated.Name : definition.Name!, recorder);
    }

    private sealed class RecordedPlaybookStep(PlaybookStepDefinition definition, string name, StepRecorder recorder) : IPlaybookStep
    {
        public string Name { get; } = name;

        public ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(context);
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(recorder.Record(definition, Name, context));
        }
    }
}

/// <summary>A step type declared for tests only (see <c>AddRecordedSteps</c>); the test host records its executions.</summary>
internal sealed class DeclaredStepFactory(string type) : IPlaybookStepFactory
{
    public string Type { get; } = type;

    public IPlaybookStep Create(PlaybookStepDefinition definition) => new DeclaredStep(definition?.Name ?? Type);

    private sealed class DeclaredStep(string name) : IPlaybookStep
    {
        public string Name { get; } = name;

        public ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(StepResult.Failure($"step type of '{Name}' is declared for tests only; run it inside RollbackKitTestHost", transient: false));
    }
}
