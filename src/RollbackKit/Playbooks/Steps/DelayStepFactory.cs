namespace RollbackKit.Playbooks;

/// <summary><c>delay</c>: waits <c>duration</c> (for example <c>30s</c>, <c>1h30m</c> or <c>00:00:30</c>; <c>0s</c> is allowed) on the workflow's clock.</summary>
internal sealed class DelayStepFactory : IPlaybookStepFactory
{
    public string Type => "delay";

    public IPlaybookStep Create(PlaybookStepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var duration = StepSettings.ParseDuration("duration", StepSettings.Require(definition, "duration"));
        return new DelayStep(definition.Name ?? "delay", duration);
    }

    private sealed class DelayStep(string name, TimeSpan duration) : IPlaybookStep, IRepeatableStep
    {
        /// <summary>Waiting again is harmless.</summary>
        public bool IsRepeatable => true;

        public string Name { get; } = name;

        public async ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
        {
            await Task.Delay(duration, context.TimeProvider, cancellationToken).ConfigureAwait(false);
            return StepResult.Success($"waited {duration}");
        }
    }
}
