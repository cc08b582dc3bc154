using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace RollbackKit.Playbooks;

/// <summary>A step ready to run: the configured definition, the created step and its resilience pipeline.</summary>
internal sealed class BuiltStep(int index, PlaybookStepDefinition definition, IPlaybookStep step, ResiliencePipeline<StepResult> pipeline)
{
    public int Index { get; } = index;

    public PlaybookStepDefinition Definition { get; } = definition;

    public IPlaybookStep Step { get; } = step;

    public ResiliencePipeline<StepResult> Pipeline { get; } = pipeline;

    public string Name { get; } = string.IsNullOrWhiteSpace(definition.Name) ? step.Name : definition.Name!;
}

/// <summary>A built playbook.</summary>
internal sealed class BuiltPlaybook(IReadOnlyList<BuiltStep> steps, TimeSpan budget)
{
    public IReadOnlyList<BuiltStep> Steps { get; } = steps;

    public TimeSpan Budget { get; } = budget;
}

/// <summary>Builds playbooks from configuration through the registered <see cref="IPlaybookStepFactory"/> instances.</summary>
internal sealed class PlaybookBuilder
{
    private static readonly TimeSpan s_minTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_maxTimeout = TimeSpan.FromDays(1);
    private readonly Dictionary<string, IPlaybookStepFactory> _factories = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _timeProvider;

    public PlaybookBuilder(IEnumerable<IPlaybookStepFactory> factories, TimeProvider timeProvider)
    {
        foreach (var factory in factories)
        {
            _factories.TryAdd(factory.Type, factory);
        }

        _timeProvider = timeProvider;
    }

    public IReadOnlyCollection<string> StepTypes => _factories.Keys;

    /// <summary>Builds a playbook. Throws <see cref="PlaybookConfigurationException"/> naming <c>Steps:{i}:…</c> when a step is invalid.</summary>
    public BuiltPlaybook Build(PlaybookDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var steps = new BuiltStep[definition.Steps.Count];
        for (var i = 0; i < steps.Length; i++)
        {
            var stepDefinition = definition.Steps[i];
            try
            {
                steps[i] = BuildStep(i, stepDefinition);
            }
            catch (PlaybookConfigurationException ex)
            {
                throw new PlaybookConfigurationException($"Steps:{i}:{ex.Message}", ex);
            }
        }

        return new BuiltPlaybook(steps, definition.Budget);
    }

    /// <summary>Creates one step and its pipeline; throws <see cref="PlaybookConfigurationException"/> naming the setting.</summary>
    public BuiltStep BuildStep(int index, PlaybookStepDefinition definition)
    {
        if (string.IsNullOrWhiteSpace(definition.Type))
        {
            throw new PlaybookConfigurationException("Type: a step type is required.");
        }

        if (!_factories.TryGetValue(definition.Type, out var factory))
        {
            throw new PlaybookConfigurationException($"Type: unknown step type '{definition.Type}'. Known types: {string.Join(", ", _factories.Keys.Order(StringComparer.OrdinalIgnoreCase))}.");
        }

        if (definition.Timeout != Timeout.InfiniteTimeSpan && (definition.Timeout < s_minTimeout || definition.Timeout > s_maxTimeout))
        {
            throw new PlaybookConfigurationException($"Timeout: must be between {s_minTimeout} and {s_maxTimeout} (was {definition.Timeout}).");
        }

        if (definition.Retries is < 0 or > 100)
        {
            throw new PlaybookConfigurationException($"Retries: must be between 0 and 100 (was {definition.Retries}).");
        }

        if (definition.RetryDelay < TimeSpan.Zero || definition.RetryDelay > s_maxTimeout)
        {
            throw new PlaybookConfigurationException($"RetryDelay: must be between 0 and {s_maxTimeout} (was {definition.RetryDelay}).");
        }

        var step = factory.Create(definition);
        return new BuiltStep(index, definition, step, BuildPipeline(definition));
    }

    private ResiliencePipeline<StepResult> BuildPipeline(PlaybookStepDefinition definition)
    {
        var builder = new ResiliencePipelineBuilder<StepResult> { TimeProvider = _timeProvider };
        if (definition.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<StepResult>
            {
                MaxRetryAttempts = definition.Retries,
                Delay = definition.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: TimeoutRejectedException } => true,
                    { Exception: not null } => false,
                    { Result: var result } => !result.Succeeded && result.Transient,
                }),
            });
        }

        if (definition.Timeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(definition.Timeout);
        }

        return builder.Build();
    }
}
