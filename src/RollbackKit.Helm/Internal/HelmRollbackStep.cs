using System.Globalization;
using Microsoft.Extensions.Logging;
using RollbackKit.Playbooks;
using RollbackKit.Redaction;

namespace RollbackKit.Helm.Internal;

/// <summary>Creates <c>helm.rollback</c> steps.</summary>
internal sealed class HelmRollbackStepFactory(HelmCli cli, HelmMetrics metrics, ILogger<HelmRollbackStep>? logger = null)
    : IPlaybookStepFactory
{
    public string Type => HelmStepTypes.Rollback;

    public IPlaybookStep Create(PlaybookStepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var settings = HelmStepSettings.Parse(definition, HelmStepSettings.RollbackKeys);
        return new HelmRollbackStep(definition.Name ?? definition.Type, settings, definition.Timeout, cli, metrics, (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    }
}

/// <summary>
/// <c>helm.rollback</c>: reads the release history, refuses while another operation is pending, picks the newest
/// earlier <c>deployed</c>/<c>superseded</c> revision (or the configured one) and runs <c>helm rollback</c>.
/// </summary>
internal sealed class HelmRollbackStep(
    string name,
    HelmStepSettings settings,
    TimeSpan stepTimeout,
    HelmCli cli,
    HelmMetrics metrics,
    ILogger logger) : IPlaybookStep, IStepEffectProbe
{
    private const string RollbackDescription = "Rollback to ";

    public string Name { get; } = name;

    /// <summary>
    /// Compares the release's current revision with the time the rollback was requested: unchanged since then, the interrupted
    /// run did not take effect; a <c>deployed</c> revision written by <c>helm rollback</c> since then ("Rollback to N") is its
    /// effect; anything else (a rollback still pending, another change) is unknown and left to a human.
    /// </summary>
    public async ValueTask<StepEffect> ProbeEffectAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var since = context.Request.RequestedAt;
        var options = cli.Options;
        if (since == default || !HelmStepTarget.TryResolve(settings, context.Target, options, out var target, out _))
        {
            return StepEffect.Unknown;
        }

        var history = await cli.RunAsync(HelmArguments.History(target.Release, target.Connection), options.CommandTimeout, cancellationToken)
            .ConfigureAwait(false);
        if (!history.Succeeded)
        {
            return StepEffect.Unknown;
        }

        HelmRevision current;
        try
        {
            var revisions = HelmJson.ParseHistory(history.Process.StandardOutput);
            if (revisions.Count == 0)
            {
                return StepEffect.Unknown;
            }

            current = revisions[^1];
        }
        catch (HelmOutputException)
        {
            return StepEffect.Unknown;
        }

        if (current.Updated is not { } updated)
        {
            return StepEffect.Unknown;
        }

        if (updated < since)
        {
            return StepEffect.NotApplied;
        }

        return string.Equals(current.Status, "deployed", StringComparison.OrdinalIgnoreCase)
            && current.Description.StartsWith(RollbackDescription, StringComparison.Ordinal)
            ? StepEffect.Applied
            : StepEffect.Unknown;
    }

    internal HelmStepSettings Settings => settings;

    /// <summary>The rollback flags for the current options. helm must give up (and say why) before the workflow's
    /// per-attempt timeout cancels the step, so its <c>--timeout</c> defaults to at most 90% of the step timeout.</summary>
    internal HelmRollbackFlags BuildFlags(HelmOptions options) => new()
    {
        Wait = settings.Wait,
        WaitStrategy = settings.WaitStrategy ?? options.WaitStrategy,
        Timeout = settings.Timeout ?? (options.Timeout < stepTimeout * 0.9 ? options.Timeout : stepTimeout * 0.9),
        CleanupOnFail = settings.CleanupOnFail,
        NoHooks = settings.NoHooks,
        Force = settings.Force,
    };

    public async ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = cli.Options;
        if (!HelmStepTarget.TryResolve(settings, context.Target, options, out var target, out var error))
        {
            return StepResult.Failure(error, transient: false);
        }

        var release = target.Release;
        var ns = target.Namespace;
        var suffix = HelmStepTarget.AttemptSuffix(context);
        HelmVersion version;
        try
        {
            version = await cli.GetVersionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HelmUnavailableException ex)
        {
            return StepResult.Failure(ex.Message, transient: false);
        }

        // 1. History: current revision and status, candidates.
        var history = await cli.RunAsync(HelmArguments.History(release, target.Connection), options.CommandTimeout, cancellationToken)
            .ConfigureAwait(false);
        context.Evidence.Add(
            target.EvidencePrefix + "history-before" + suffix + (history.Succeeded ? ".json" : ".txt"),
            history.Succeeded ? history.StandardOutput : history.ToEvidence());
        cancellationToken.ThrowIfCancellationRequested();
        if (!history.Succeeded)
        {
            metrics.RecordRollback("failure");
            return StepResult.Failure(
                history.DescribeFailure($"helm history {release} (namespace {ns})"),
                transient: !HelmStepTarget.IsNotFound(history));
        }

        List<HelmRevision> revisions;
        try
        {
            revisions = HelmJson.ParseHistory(history.Process.StandardOutput);
        }
        catch (HelmOutputException ex)
        {
            metrics.RecordRollback("failure");
            return StepResult.Failure(ex.Message, transient: false);
        }

        if (revisions.Count == 0)
        {
            metrics.RecordRollback("failure");
            return StepResult.Failure($"release '{release}' in namespace '{ns}' has no revisions", transient: false);
        }

        var current = revisions[^1];

        // 2. Another operation in flight?
        if (RevisionSelector.IsPending(current.Status))
        {
            if (!settings.AllowPending)
            {
                Log.PendingRefused(logger, release, ns, current.Status);
                metrics.RecordRollback("refused");
                return StepResult.Failure(
                    $"release '{release}' in namespace '{ns}' is {current.Status} at revision {current.Revision}: another helm operation is in flight, "
                    + "so it was not rolled back. Wait for it to finish, or set Settings:allowPending to true to roll back anyway.",
                    transient: true);
            }

            Log.PendingAllowed(logger, release, ns, current.Status);
        }

        // 3. Which revision.
        var choice = RevisionSelector.Choose(release, revisions, settings.Revision);
        if (!choice.Found)
        {
            metrics.RecordRollback("no-revision");
            return StepResult.Failure(SecretRedactor.Patterns.Redact(choice.Error!), transient: false);
        }

        var targetRevision = choice.TargetRevision!.Value;
        Log.RevisionChosen(logger, release, ns, choice.CurrentRevision, targetRevision);

        // 4. Roll back. The process gets helm's own timeout plus a grace period before its tree is killed.
        var flags = BuildFlags(options);
        var arguments = HelmArguments.Rollback(release, targetRevision, flags, version, target.Connection);
        var rollback = await cli.RunAsync(arguments, flags.Timeout + options.KillGracePeriod, cancellationToken).ConfigureAwait(false);
        context.Evidence.Add(target.EvidencePrefix + "rollback" + suffix + ".txt", rollback.ToEvidence());
        if (rollback.Process.Outcome == ProcessOutcome.Cancelled)
        {
            metrics.RecordRollback("cancelled");
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (!rollback.Succeeded)
        {
            metrics.RecordRollback("failure");
            return StepResult.Failure(
                rollback.DescribeFailure($"helm rollback {release} {targetRevision} (namespace {ns}, helm {version})"),
                transient: !HelmStepTarget.IsNotFound(rollback));
        }

        metrics.RecordRollback("success");

        // 5. Record the history after the rollback; its failure does not undo a successful rollback.
        var newRevisionText = string.Empty;
        var after = await cli.RunAsync(HelmArguments.History(release, target.Connection), options.CommandTimeout, cancellationToken)
            .ConfigureAwait(false);
        context.Evidence.Add(
            target.EvidencePrefix + "history-after" + suffix + (after.Succeeded ? ".json" : ".txt"),
            after.Succeeded ? after.StandardOutput : after.ToEvidence());
        if (after.Succeeded)
        {
            try
            {
                var newest = HelmJson.ParseHistory(after.Process.StandardOutput)[^1];
                newRevisionText = string.Create(CultureInfo.InvariantCulture, $"; revision {newest.Revision} is {newest.Status}");
                Log.RollbackSucceeded(logger, release, ns, targetRevision, newest.Revision);
            }
            catch (Exception ex) when (ex is HelmOutputException or ArgumentOutOfRangeException)
            {
                newRevisionText = "; history after the rollback could not be read";
            }
        }

        return StepResult.Success(
            $"rolled back release '{release}' in namespace '{ns}' from revision {choice.CurrentRevision} ({current.Status}) to revision {targetRevision} with helm {version}{newRevisionText}");
    }
}
