using Microsoft.Extensions.Options;
using RollbackKit.Playbooks;

namespace RollbackKit.Helm.Internal;

/// <summary>Creates <c>helm.history</c> steps.</summary>
internal sealed class HelmHistoryStepFactory(HelmCli cli) : IPlaybookStepFactory
{
    public string Type => HelmStepTypes.History;

    public IPlaybookStep Create(PlaybookStepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new HelmHistoryStep(definition.Name ?? definition.Type, HelmStepSettings.Parse(definition, HelmStepSettings.CommonKeys), cli);
    }
}

/// <summary>Creates <c>helm.status</c> steps.</summary>
internal sealed class HelmStatusStepFactory(HelmCli cli) : IPlaybookStepFactory
{
    public string Type => HelmStepTypes.Status;

    public IPlaybookStep Create(PlaybookStepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new HelmStatusStep(definition.Name ?? definition.Type, HelmStepSettings.Parse(definition, HelmStepSettings.CommonKeys), cli);
    }
}

/// <summary><c>helm.history</c>: puts <c>helm history -o json</c> into the evidence bundle.</summary>
internal sealed class HelmHistoryStep(string name, HelmStepSettings settings, HelmCli cli) : IPlaybookStep
{
    public string Name { get; } = name;

    public async ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!HelmStepTarget.TryResolve(settings, context.Target, cli.Options, out var target, out var error))
        {
            return StepResult.Failure(error, transient: false);
        }

        HelmCommandResult result;
        try
        {
            result = await cli.RunAsync(HelmArguments.History(target.Release, target.Connection), cli.Options.CommandTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (HelmUnavailableException ex)
        {
            return StepResult.Failure(ex.Message, transient: false);
        }

        var suffix = HelmStepTarget.AttemptSuffix(context);
        context.Evidence.Add(
            target.EvidencePrefix + "history" + suffix + (result.Succeeded ? ".json" : ".txt"),
            result.Succeeded ? result.StandardOutput : result.ToEvidence());
        cancellationToken.ThrowIfCancellationRequested();
        if (!result.Succeeded)
        {
            return StepResult.Failure(result.DescribeFailure($"helm history {target.Release} (namespace {target.Namespace})"), !HelmStepTarget.IsNotFound(result));
        }

        try
        {
            var revisions = HelmJson.ParseHistory(result.Process.StandardOutput);
            return revisions.Count == 0
                ? StepResult.Success($"release '{target.Release}' in namespace '{target.Namespace}' has no revisions")
                : StepResult.Success(
                    $"release '{target.Release}' in namespace '{target.Namespace}': {revisions.Count} revision(s); current revision {revisions[^1].Revision} is {revisions[^1].Status}");
        }
        catch (HelmOutputException ex)
        {
            return StepResult.Failure(ex.Message, transient: false);
        }
    }
}

/// <summary><c>helm.status</c>: puts <c>helm status -o json</c> (without values, manifests and hooks) into the evidence bundle.</summary>
internal sealed class HelmStatusStep(string name, HelmStepSettings settings, HelmCli cli) : IPlaybookStep
{
    public string Name { get; } = name;

    public async ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!HelmStepTarget.TryResolve(settings, context.Target, cli.Options, out var target, out var error))
        {
            return StepResult.Failure(error, transient: false);
        }

        HelmCommandResult result;
        try
        {
            result = await cli.RunAsync(HelmArguments.Status(target.Release, target.Connection), cli.Options.CommandTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (HelmUnavailableException ex)
        {
            return StepResult.Failure(ex.Message, transient: false);
        }

        var suffix = HelmStepTarget.AttemptSuffix(context);
        context.Evidence.Add(
            target.EvidencePrefix + "status" + suffix + (result.Succeeded ? ".json" : ".txt"),
            result.Succeeded ? SecretRedactor.RedactText(HelmJson.TrimStatusForEvidence(result.Process.StandardOutput)) : result.ToEvidence());
        cancellationToken.ThrowIfCancellationRequested();
        if (!result.Succeeded)
        {
            return StepResult.Failure(result.DescribeFailure($"helm status {target.Release} (namespace {target.Namespace})"), !HelmStepTarget.IsNotFound(result));
        }

        try
        {
            var status = HelmJson.ParseStatus(result.Process.StandardOutput);
            return StepResult.Success(
                $"release '{target.Release}' in namespace '{target.Namespace}' is {status.Status} at revision {status.Revision} (chart {status.ChartName}-{status.ChartVersion})");
        }
        catch (HelmOutputException ex)
        {
            return StepResult.Failure(ex.Message, transient: false);
        }
    }
}
