using Polly.Timeout;

namespace RollbackKit.Playbooks;

/// <summary>The outcome of a step run with its timeout and retries.</summary>
internal readonly record struct StepExecution(StepResult Result, int Attempts, TimeSpan Duration);

/// <summary>Runs one built step through its pipeline: timeout per attempt, retries for transient failures, exceptions as failures.</summary>
internal static class StepExecutor
{
    public static async ValueTask<StepExecution> ExecuteAsync(BuiltStep step, PlaybookStepContext context, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var state = new State(step.Step, context);
        var started = timeProvider.GetTimestamp();
        StepResult result;
        try
        {
            result = await step.Pipeline.ExecuteAsync(
                static async (s, token) =>
                {
                    s.Context.Attempt = ++s.Attempts;
                    try
                    {
                        return await s.Step.ExecuteAsync(s.Context, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (token.IsCancellationRequested)
                    {
                        throw;
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        return StepResult.Failure(ex.Message, transient: true);
                    }
                },
                state,
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException)
        {
            result = StepResult.Failure($"timed out after {step.Definition.Timeout}", transient: true);
        }

        return new StepExecution(result, state.Attempts, timeProvider.GetElapsedTime(started));
    }

    private sealed class State(IPlaybookStep step, PlaybookStepContext context)
    {
        public IPlaybookStep Step { get; } = step;

        public PlaybookStepContext Context { get; } = context;

        public int Attempts { get; set; }
    }
}
