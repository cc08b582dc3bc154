using Microsoft.Extensions.Options;
using RollbackKit.Playbooks;
using RollbackKit.Redaction;

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

/// <summary>A step that runs one read-only helm command and puts its output into the evidence bundle.</summary>
internal abstract class HelmReadStep(string name, HelmStepSettings settings, HelmCli cli) : IPlaybookStep
{
    public string Name { get; } = name;

    /// <summary>The helm sub-command, for messages and evidence file names (<c>history</c>, <c>status</c>).</summary>
    protected abstract string Command { get; }

    protected abstract IReadOnlyList<string> Arguments(HelmStepTarget target);

    /// <summary>What goes into the evidence bundle when helm succeeded (secrets redacted).</summary>
    protected virtual string Evidence(string standardOutput) => SecretRedactor.Patterns.Redact(standardOutput);

    /// <summary>The step's summary from helm's JSON output; throws <see cref="HelmOutputException"/> when it is malformed.</summary>
    protected abstract string Summarize(string standardOutput, HelmStepTarget target);

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
            result = await cli.RunAsync(Arguments(target), cli.Options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (HelmUnavailableException ex)
        {
            return StepResult.Failure(ex.Message, transient: false);
        }

        var suffix = HelmStepTarget.AttemptSuffix(context);
        context.Evidence.Add(
            target.EvidencePrefix + Command + suffix + (result.Succeeded ? ".json" : ".txt"),
            result.Succeeded ? Evidence(result.Process.StandardOutput) : result.ToEvidence());
        cancellationToken.ThrowIfCancellationRequested();
        if (!result.Succeeded)
        {
            return StepResult.Failure(result.DescribeFailure($"helm {Command} {target.Release} (namespace {target.Namespace})"), !HelmStepTarget.IsNotFound(result));
        }

        try
        {
            return StepResult.Success(Summarize(result.Process.StandardOutput, target));
        }
        catch (HelmOutputException ex)
        {
            return StepResult.Failure(ex.Message, transient: false);
        }
    }
}

/// <summary><c>helm.history</c>: puts <c>helm history -o json</c> into the evidence bundle.</summary>
internal sealed class HelmHistoryStep(string name, HelmStepSettings settings, HelmCli cli) : HelmReadStep(name, settings, cli)
{
    protected override string Command => "history";

    protected override IReadOnlyList<string> Arguments(HelmStepTarget target) => HelmArguments.History(target.Release, target.Connection);

    protected override string Summarize(string standardOutput, HelmStepTarget target)
    {
        var revisions = HelmJson.ParseHistory(standardOutput);
        return revisions.Count == 0
            ? $"release '{target.Release}' in namespace '{target.Namespace}' has no revisions"
            : $"release '{target.Release}' in namespace '{target.Namespace}': {revisions.Count} revision(s); current revision {revisions[^1].Revision} is {revisions[^1].Status}";
    }
}

/// <summary><c>helm.status</c>: puts <c>helm status -o json</c> (without values, manifests and hooks) into the evidence bundle.</summary>
internal sealed class HelmStatusStep(string name, HelmStepSettings settings, HelmCli cli) : HelmReadStep(name, settings, cli)
{
    protected override string Command => "status";

    protected override IReadOnlyList<string> Arguments(HelmStepTarget target) => HelmArguments.Status(target.Release, target.Connection);

    protected override string Evidence(string standardOutput) => SecretRedactor.Patterns.Redact(HelmJson.TrimStatusForEvidence(standardOutput));

    protected override string Summarize(string standardOutput, HelmStepTarget target)
    {
        var status = HelmJson.ParseStatus(standardOutput);
        return $"release '{target.Release}' in namespace '{target.Namespace}' is {status.Status} at revision {status.Revision} (chart {status.ChartName}-{status.ChartVersion})";
    }
}
