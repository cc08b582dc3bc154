namespace RollbackKit.Playbooks;

/// <summary>A step type registered in code with a delegate.</summary>
internal sealed class DelegatePlaybookStepFactory(string type, Func<PlaybookStepContext, CancellationToken, ValueTask<StepResult>> execute) : IPlaybookStepFactory
{
    public string Type { get; } = type;

    public IPlaybookStep Create(PlaybookStepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new DelegateStep(definition.Name ?? Type, execute);
    }

    private sealed class DelegateStep(string name, Func<PlaybookStepContext, CancellationToken, ValueTask<StepResult>> execute) : IPlaybookStep
    {
        public string Name { get; } = name;

        public ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken) => execute(context, cancellationToken);
    }
}
