using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Cli.Planning;

/// <summary>One row of the plan check: a check of one target's rollback plan.</summary>
/// <param name="Target">The target id.</param>
/// <param name="Check">What was checked.</param>
/// <param name="Passed">Whether the plan passes it.</param>
/// <param name="Detail">Why, with the key paths and values involved.</param>
internal sealed record PlanCheckRow(string Target, string Check, bool Passed, string Detail);

/// <summary>
/// Checks that each target's rollback plan is complete before it is needed: every step type known; every step's worst case
/// (timeout × attempts plus retry delays) fits the playbook budget; the expected durations add up to no more than the budget;
/// verification configured; a point of no return declared where a step cannot be undone (see <see cref="PlanSettings"/>);
/// someone notified.
/// </summary>
internal sealed class PlanChecker
{
    public const string StepTypes = "step types";
    public const string StepTimeouts = "step timeouts";
    public const string ExpectedDurations = "expected durations";
    public const string Verification = "verification";
    public const string PointOfNoReturn = "point of no return";
    public const string Notifications = "notifications";

    private readonly RollbackKitOptions _options;
    private readonly string _prefix;
    private readonly HashSet<string> _knownTypes;
    private readonly PlanSettings _plan;
    private readonly string[] _notifiers;
    private readonly NotifierDestinations _destinations;

    public PlanChecker(ApplicationHost host)
    {
        _options = Unvalidated(host.Services);
        _prefix = host.Section.Path;
        _knownTypes = new HashSet<string>(host.Services.GetServices<IPlaybookStepFactory>().Select(static f => f.Type), StringComparer.OrdinalIgnoreCase);
        _plan = PlanSettings.Read(host.Services.GetRequiredService<IConfiguration>(), host.Section);
        _notifiers = host.Services.GetServices<INotifier>().Select(static n => n.Name).Where(static n => n != "log").ToArray();
        _destinations = new NotifierDestinations(host.Services);
    }

    /// <summary>Whether a start-up problem is one <see cref="StepTypes"/> reports (an unknown step type), not an invalid configuration.</summary>
    public static bool IsUnknownStepType(string problem) => problem.Contains(":Type: unknown step type '", StringComparison.Ordinal);

    public IReadOnlyList<PlanCheckRow> Check()
    {
        var rows = new List<PlanCheckRow>();
        for (var i = 0; i < _options.Targets.Count; i++)
        {
            var target = _options.Targets[i];
            var (playbook, key) = target.Playbook is { } own
                ? (own, $"{_prefix}:Targets:{i}:Playbook")
                : (_options.Playbook, $"{_prefix}:Playbook");
            rows.Add(CheckStepTypes(target.Id, playbook, key));
            rows.Add(CheckStepTimeouts(target.Id, playbook, key));
            rows.Add(CheckExpectedDurations(target.Id, playbook, key));
            rows.Add(CheckVerification(target.Id));
            rows.Add(CheckPointOfNoReturn(target.Id, playbook, key));
            rows.Add(CheckNotifications(target.Id));
        }

        return rows;
    }

    private PlanCheckRow CheckStepTypes(string target, PlaybookDefinition playbook, string key)
    {
        var unknown = new List<string>();
        for (var s = 0; s < playbook.Steps.Count; s++)
        {
            var type = playbook.Steps[s]?.Type;
            if (string.IsNullOrWhiteSpace(type) || !_knownTypes.Contains(type))
            {
                unknown.Add($"{key}:Steps:{s}:Type '{type}' is not a known step type");
            }
        }

        if (playbook.Steps.Count == 0)
        {
            return new(target, StepTypes, false, $"{key}:Steps: the playbook has no steps");
        }

        return unknown.Count == 0
            ? new(target, StepTypes, true, Invariant($"{playbook.Steps.Count} step(s), all known: {string.Join(", ", playbook.Steps.Select(static s => s.Type))}"))
            : new(target, StepTypes, false, string.Join("; ", unknown));
    }

    private static PlanCheckRow CheckStepTimeouts(string target, PlaybookDefinition playbook, string key)
    {
        var over = new List<string>();
        var longest = TimeSpan.Zero;
        var longestName = string.Empty;
        for (var s = 0; s < playbook.Steps.Count; s++)
        {
            var step = playbook.Steps[s];
            var attempts = step.Retries + 1;
            var delays = RetryDelays(step);
            var worst = (step.Timeout * attempts) + delays;
            if (worst > longest)
            {
                longest = worst;
                longestName = Name(step);
            }

            if (worst > playbook.Budget)
            {
                var retry = delays > TimeSpan.Zero ? $" + {Durations.Format(delays)} retry delays" : string.Empty;
                over.Add(Invariant($"{key}:Steps:{s} '{Name(step)}': timeout {Durations.Format(step.Timeout)} × {attempts} attempt(s){retry} = {Durations.Format(worst)} exceeds the budget {Durations.Format(playbook.Budget)} ({key}:Budget)"));
            }
        }

        return over.Count == 0
            ? new(target, StepTimeouts, true, $"longest step '{longestName}' needs at most {Durations.Format(longest)} of the budget {Durations.Format(playbook.Budget)}")
            : new(target, StepTimeouts, false, string.Join("; ", over));
    }

    private static PlanCheckRow CheckExpectedDurations(string target, PlaybookDefinition playbook, string key)
    {
        var sum = TimeSpan.Zero;
        var unset = 0;
        foreach (var step in playbook.Steps)
        {
            if (step.ExpectedDuration is { } expected)
            {
                sum += expected;
            }
            else
            {
                sum += step.Timeout;
                unset++;
            }
        }

        var note = unset == 0 ? string.Empty : Invariant($" ({unset} step(s) without ExpectedDuration counted at their timeout)");
        return sum <= playbook.Budget
            ? new(target, ExpectedDurations, true, $"sum {Durations.Format(sum)} within the budget {Durations.Format(playbook.Budget)}{note}")
            : new(target, ExpectedDurations, false, $"sum {Durations.Format(sum)} exceeds the budget {Durations.Format(playbook.Budget)} ({key}:Budget){note}");
    }

    private PlanCheckRow CheckVerification(string target)
    {
        var workflow = _options.Workflow;
        if (!workflow.VerificationEnabled)
        {
            return new(target, Verification, false, $"{_prefix}:Workflow:VerificationEnabled is false: nothing checks the target after the playbook");
        }

        var triggers = _options.Triggers.Where(static t => t is { Enabled: true, DryRun: false, Action: TriggerAction.Rollback }).Select(static t => t.Name).ToArray();
        if (triggers.Length == 0)
        {
            return new(target, Verification, false, $"no enabled rollback trigger in {_prefix}:Triggers: verification would measure nothing");
        }

        var window = workflow.VerificationWindow == TimeSpan.Zero ? "once" : $"for {Durations.Format(workflow.VerificationWindow)}";
        return new(target, Verification, true, $"{string.Join(", ", triggers)} re-checked {window} after the playbook");
    }

    private PlanCheckRow CheckPointOfNoReturn(string target, PlaybookDefinition playbook, string key)
    {
        var irreversible = new List<(int Index, PlaybookStepDefinition Step)>();
        for (var s = 0; s < playbook.Steps.Count; s++)
        {
            if (playbook.Steps[s] is { } step && _plan.IsIrreversible(step.Type))
            {
                irreversible.Add((s, step));
            }
        }

        var steps = string.Join(", ", irreversible.Select(x => $"{key}:Steps:{x.Index} '{Name(x.Step)}' ({x.Step.Type})"));
        if (!_plan.PointsOfNoReturn.TryGetValue(target, out var declared))
        {
            return irreversible.Count == 0
                ? new(target, PointOfNoReturn, true, "no irreversible step")
                : new(target, PointOfNoReturn, false, $"{steps} cannot be undone and no point of no return is declared; add {{ \"Target\": \"{target}\", \"Step\": \"{Name(irreversible[0].Step)}\" }} to {_plan.Path}:PointsOfNoReturn");
        }

        var index = FindStep(playbook, declared);
        if (index < 0)
        {
            return new(target, PointOfNoReturn, false, $"{_plan.Path}:PointsOfNoReturn names step '{declared}', which is not in {key}:Steps");
        }

        if (irreversible.Count > 0 && irreversible[0].Index < index)
        {
            return new(target, PointOfNoReturn, false, Invariant($"{steps} cannot be undone but the declared point of no return '{declared}' is step {index}, after it"));
        }

        return new(target, PointOfNoReturn, true, irreversible.Count == 0
            ? Invariant($"declared at step {index} '{declared}'")
            : Invariant($"declared at step {index} '{declared}'; irreversible: {steps}"));
    }

    private PlanCheckRow CheckNotifications(string target)
    {
        if (_notifiers.Length == 0)
        {
            return new(target, Notifications, false, $"only the log notifier: nobody is told; configure {_prefix}:Slack, {_prefix}:PagerDuty or {_prefix}:Email");
        }

        return new(target, Notifications, true, string.Join(", ", _notifiers.Select(n => $"{n} ({_destinations.Describe(n, target)})")));
    }

    private static int FindStep(PlaybookDefinition playbook, string declared)
    {
        for (var s = 0; s < playbook.Steps.Count; s++)
        {
            if (string.Equals(Name(playbook.Steps[s]), declared, StringComparison.OrdinalIgnoreCase))
            {
                return s;
            }
        }

        return int.TryParse(declared, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < playbook.Steps.Count ? index : -1;
    }

    /// <summary>The retry delays before attempts 2..n: the delay doubles each retry.</summary>
    private static TimeSpan RetryDelays(PlaybookStepDefinition step)
    {
        var total = TimeSpan.Zero;
        var delay = step.RetryDelay;
        for (var r = 0; r < step.Retries; r++)
        {
            total += delay;
            delay *= 2;
        }

        return total;
    }

    private static string Name(PlaybookStepDefinition step) => step.Name ?? step.Type;

    /// <summary>The options as bound and post-configured, without validation (an unknown step type is a row, not a stop).</summary>
    private static RollbackKitOptions Unvalidated(IServiceProvider services)
    {
        var options = new RollbackKitOptions();
        foreach (var configure in services.GetServices<IConfigureOptions<RollbackKitOptions>>())
        {
            if (configure is IConfigureNamedOptions<RollbackKitOptions> named)
            {
                named.Configure(Options.DefaultName, options);
            }
            else
            {
                configure.Configure(options);
            }
        }

        foreach (var post in services.GetServices<IPostConfigureOptions<RollbackKitOptions>>())
        {
            post.PostConfigure(Options.DefaultName, options);
        }

        return options;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
