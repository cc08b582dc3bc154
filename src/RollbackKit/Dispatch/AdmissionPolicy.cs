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
/// <param name="Reason">Why, for the journal, the log and the caller; <see langword="null"/> when admitted.</param>
/// <param name="RollbackId">The rollback the decision refers to (the one that just finished), if any.</param>
internal readonly record struct AdmissionDecision(AdmissionVerdict Verdict, string? Reason, string? RollbackId = null)
{
    public static AdmissionDecision Admit => default;

    public static AdmissionDecision Alert(string reason) => new(AdmissionVerdict.Alert, reason);

    public static AdmissionDecision Refuse(string reason, string? rollbackId = null) => new(AdmissionVerdict.Refuse, reason, rollbackId);
}

/// <summary>A target's last rollback that ran to an end (rolled back or failed).</summary>
/// <param name="RollbackId">Its id.</param>
/// <param name="State"><see cref="RollbackState.RolledBack"/> or <see cref="RollbackState.RollbackFailed"/>.</param>
/// <param name="CompletedAt">When it finished.</param>
internal readonly record struct FinishedRollback(string RollbackId, RollbackState State, DateTimeOffset CompletedAt);

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
        return Screen(request, autoRollbackEnabled ? null : request.Target.Id, pastPointOfNoReturn ? request.Target.Id : null, group: null);
    }

    /// <summary>
    /// <see cref="Screen(RollbackRequest, bool, bool)"/> for what the request rolls back: a target, or a coordinated group as a whole.
    /// For a group, a member (or the group) whose automatic rollback is off, or a member past its point of no return, turns an
    /// automatic request on any member into an alert naming it: a sibling's fire never rolls back what an operator froze.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="switchedOff">The target, member or group whose automatic rollback is off, or <see langword="null"/>.</param>
    /// <param name="pastPointOfNoReturn">The target, member or group past its point of no return, or <see langword="null"/>.</param>
    /// <param name="group">The group the request rolls back, or <see langword="null"/> for a target's own rollback.</param>
    public AdmissionDecision Screen(RollbackRequest request, string? switchedOff, string? pastPointOfNoReturn, string? group)
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

        if (switchedOff is not null)
        {
            return AdmissionDecision.Alert(group is null
                ? $"Automatic rollback is disabled for {targetId} (kill switch); not rolling back: {request.Reason}"
                : string.Equals(switchedOff, group, StringComparison.Ordinal)
                    ? $"Automatic rollback is disabled for group {group} (kill switch); not rolling back the group (requested for {targetId}): {request.Reason}"
                    : $"Automatic rollback is disabled for {switchedOff} (kill switch), a member of group {group}, which rolls back as one; not rolling back the group (requested for {targetId}): {request.Reason}");
        }

        if (pastPointOfNoReturn is not null)
        {
            return AdmissionDecision.Alert(group is null
                ? $"{targetId} is past its point of no return: a forward fix is needed instead of a rollback ({request.Reason})"
                : string.Equals(pastPointOfNoReturn, group, StringComparison.Ordinal)
                    ? $"group {group} is past its point of no return: a forward fix is needed instead of a rollback (requested for {targetId}: {request.Reason})"
                    : $"{pastPointOfNoReturn} is past its point of no return and rolls back with group {group}: a forward fix is needed instead of a rollback of the group (requested for {targetId}: {request.Reason})");
        }

        if (request.Severity == RollbackSeverity.Medium && _options.MediumSeverity == MediumSeverityPolicy.AlertOnly)
        {
            return AdmissionDecision.Alert($"P2 (medium) alert for {targetId}, not rolling back: {request.Reason}");
        }

        return AdmissionDecision.Admit;
    }

    /// <summary>
    /// The limits of one target, for every request: within the cooldown after its last rollback finished (the "recently
    /// finished" window), automatic requests are refused and manual ones are answered with that rollback unless they
    /// <see cref="RollbackRequest.Force"/>; then automatic requests are limited to the attempts within the window.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="lastFinished">The target's last rollback that ran to an end (of any origin), if any.</param>
    /// <param name="attempts">When the target's automatic rollbacks started (older ones are ignored).</param>
    /// <param name="now">The current time.</param>
    /// <param name="subject">How the reasons name what the limits belong to (a group: <c>group checkout-stack (shop/api is a
    /// member)</c>); default: the request's target id.</param>
    public AdmissionDecision CheckLimits(RollbackRequest request, FinishedRollback? lastFinished, IReadOnlyList<DateTimeOffset> attempts, DateTimeOffset now, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(attempts);
        var targetId = subject ?? request.Target.Id;
        var automatic = IsAutomatic(request);
        if (lastFinished is { } last && now - last.CompletedAt < _options.Cooldown && (automatic || !request.Force))
        {
            var ago = now - last.CompletedAt;
            var what = last.State == RollbackState.RollbackFailed
                ? $"{targetId} had a failed rollback {Describe(ago)} ago (run {last.RollbackId})"
                : $"{targetId} was rolled back {Describe(ago)} ago by run {last.RollbackId}";
            return automatic
                ? AdmissionDecision.Refuse($"{what}; cooldown of {Describe(_options.Cooldown)} has {Describe(_options.Cooldown - ago)} left, so no automatic rollback. A manual rollback with Force overrides it.", last.RollbackId)
                : AdmissionDecision.Refuse($"{what}; pass Force to run again.", last.RollbackId);
        }

        if (!automatic)
        {
            return AdmissionDecision.Admit;
        }

        var recent = CountRecent(attempts, now);
        if (recent >= _options.MaxAttemptsPerTarget)
        {
            return AdmissionDecision.Refuse($"{targetId} already had {recent} automatic rollbacks within {Describe(_options.AttemptWindow)} (maximum {_options.MaxAttemptsPerTarget}); a human must decide.");
        }

        return AdmissionDecision.Admit;
    }

    /// <summary>A duration for people: <c>40 s</c>, <c>3 min 0 s</c>, <c>2 h 5 min</c>, <c>1 d 2 h</c>.</summary>
    public static string Describe(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        return duration.TotalMinutes < 1 ? Invariant($"{(int)duration.TotalSeconds} s")
            : duration.TotalHours < 1 ? Invariant($"{(int)duration.TotalMinutes} min {duration.Seconds} s")
            : duration.TotalDays < 1 ? Invariant($"{(int)duration.TotalHours} h {duration.Minutes} min")
            : Invariant($"{(int)duration.TotalDays} d {duration.Hours} h");
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

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
