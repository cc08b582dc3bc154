using Microsoft.Extensions.Options;
using RollbackKit.Triggers;
using RollbackKit.Workflow;

namespace RollbackKit.Dispatch;

/// <summary>What admission decided for a request.</summary>
internal enum AdmissionVerdict
{
    /// <summary>Go on: roll back (or join the rollback in progress).</summary>
    Admit = 0,

    /// <summary>Only raise an alert.</summary>
    Alert = 1,

    /// <summary>Refuse the request.</summary>
    Refuse = 2,
}

/// <summary>An admission decision and, unless admitted, the reason given to people.</summary>
/// <param name="Verdict">The decision.</param>
/// <param name="Reason">Why, for the journal, the notification and the caller; <see langword="null"/> when admitted.</param>
internal readonly record struct AdmissionDecision(AdmissionVerdict Verdict, string? Reason)
{
    public static AdmissionDecision Admit => default;

    public static AdmissionDecision Alert(string reason) => new(AdmissionVerdict.Alert, reason);

    public static AdmissionDecision Refuse(string reason) => new(AdmissionVerdict.Refuse, reason);
}

/// <summary>
/// Decides whether a request may roll its target back. Pure: every input is an argument (the switches' state, the target's
/// last completion and attempts, the time), so it is tested without I/O and reusable by a replay over history.
/// </summary>
internal sealed class AdmissionPolicy(IOptions<DispatchOptions> options)
{
    private readonly DispatchOptions _options = options.Value;

    /// <summary>How long an automatic rollback counts as an attempt.</summary>
    public TimeSpan AttemptWindow => _options.AttemptWindow;

    /// <summary>Whether the request came from automation (anything but a person), which the switches and limits apply to.</summary>
    public static bool IsAutomatic(RollbackRequest request) => request.TriggerType != RollbackTriggerType.Manual;

    /// <summary>
    /// Decisions that only raise an alert, in order: alert-only request, kill switch, point of no return, P2 alert-only policy.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="autoRollbackEnabled">Whether automatic rollback of the target is enabled (kill switches).</param>
    /// <param name="pastPointOfNoReturn">Whether the target is past its point of no return.</param>
    public AdmissionDecision Screen(RollbackRequest request, bool autoRollbackEnabled, bool pastPointOfNoReturn)
    {
        ArgumentNullException.ThrowIfNull(request);
        var targetId = request.Target.Id;
        if (request.AlertOnly)
        {
            return AdmissionDecision.Alert($"Alert: {request.Reason}");
        }

        if (!IsAutomatic(request))
        {
            return AdmissionDecision.Admit;
        }

        if (!autoRollbackEnabled)
        {
            return AdmissionDecision.Alert($"Automatic rollback is disabled for {targetId} (kill switch); not rolling back: {request.Reason}");
        }

        if (pastPointOfNoReturn)
        {
            return AdmissionDecision.Alert($"{targetId} is past its point of no return: a forward fix is needed instead of a rollback ({request.Reason})");
        }

        if (request.Severity == RollbackSeverity.Medium && _options.MediumSeverity == MediumSeverityPolicy.AlertOnly)
        {
            return AdmissionDecision.Alert($"P2 (medium) alert for {targetId}, not rolling back: {request.Reason}");
        }

        return AdmissionDecision.Admit;
    }

    /// <summary>
    /// The limits on automatic rollbacks of one target: the cooldown after its last rollback, then the attempts within the window.
    /// Manual requests are always admitted.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="lastCompletedAt">When the target's last automatic rollback finished, if any.</param>
    /// <param name="attempts">When the target's automatic rollbacks started (older ones are ignored).</param>
    /// <param name="now">The current time.</param>
    public AdmissionDecision CheckLimits(RollbackRequest request, DateTimeOffset? lastCompletedAt, IReadOnlyList<DateTimeOffset> attempts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(attempts);
        if (!IsAutomatic(request))
        {
            return AdmissionDecision.Admit;
        }

        var targetId = request.Target.Id;
        if (lastCompletedAt is { } last && now - last < _options.Cooldown)
        {
            var remaining = _options.Cooldown - (now - last);
            return AdmissionDecision.Refuse($"{targetId} was rolled back at {last:O}; cooldown of {_options.Cooldown} has {remaining} left. Use a manual rollback to override.");
        }

        var recent = CountRecent(attempts, now);
        if (recent >= _options.MaxAttemptsPerTarget)
        {
            return AdmissionDecision.Refuse($"{targetId} already had {recent} automatic rollbacks within {_options.AttemptWindow} (maximum {_options.MaxAttemptsPerTarget}); a human must decide.");
        }

        return AdmissionDecision.Admit;
    }

    /// <summary>Whether an attempt made at <paramref name="at"/> still counts at <paramref name="now"/>.</summary>
    public bool StillCounts(DateTimeOffset at, DateTimeOffset now) => now - at < _options.AttemptWindow;

    private int CountRecent(IReadOnlyList<DateTimeOffset> attempts, DateTimeOffset now)
    {
        var count = 0;
        for (var i = 0; i < attempts.Count; i++)
        {
            if (StillCounts(attempts[i], now))
            {
                count++;
            }
        }

        return count;
    }
}
