using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Telemetry;

namespace RollbackKit.Dispatch;

/// <summary>
/// The operator's switches that turn automatic rollback requests into alerts: the global kill switch, per-target overrides
/// over each target's configured <c>AutoRollback</c>, and the point-of-no-return marks. Manual requests ignore them.
/// </summary>
internal sealed class KillSwitch
{
    /// <summary>The journal's target id for the global switch.</summary>
    public const string GlobalKey = "*";

    private readonly Dictionary<string, bool> _configured;
    private readonly ConcurrentDictionary<string, bool> _overrides = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _pointOfNoReturn = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, KillSwitchChange> _changes = new(StringComparer.Ordinal);
    private volatile bool _enabled;

    public KillSwitch(IOptions<DispatchOptions> options, ILogger<KillSwitch> logger)
    {
        var value = options.Value;
        _enabled = value.AutoRollbackEnabled;
        _configured = new Dictionary<string, bool>(value.TargetAutoRollback, StringComparer.Ordinal);
        foreach (var id in value.PointOfNoReturnTargets)
        {
            _pointOfNoReturn[id] = true;
        }

        _logger = logger;
    }

    /// <summary>Whether automatic rollback is globally enabled.</summary>
    public bool GlobalEnabled => _enabled;

    /// <summary>Sets the global switch.</summary>
    public void SetGlobal(bool enabled)
    {
        _enabled = enabled;
        Log.KillSwitch(_logger, "*", enabled);
    }

    /// <summary>Sets a target's override; <see langword="null"/> returns to the target's configuration.</summary>
    public void SetTarget(string targetId, bool? enabled)
    {
        if (enabled is { } value)
        {
            _overrides[targetId] = value;
        }
        else
        {
            _overrides.TryRemove(targetId, out _);
        }

        Log.KillSwitch(_logger, targetId, IsEnabled(targetId));
    }

    /// <summary>Whether automatic rollback of the target is enabled: the global switch, then the override, then the configuration.</summary>
    public bool IsEnabled(string targetId)
    {
        if (!_enabled)
        {
            return false;
        }

        if (_overrides.TryGetValue(targetId, out var enabled))
        {
            return enabled;
        }

        return !_configured.TryGetValue(targetId, out var configured) || configured;
    }

    /// <summary>Applies an operator's change (or one replayed from the journal) and remembers who made it and why.</summary>
    public void Apply(KillSwitchChange change)
    {
        if (change.TargetId is { } targetId)
        {
            SetTarget(targetId, change.Enabled);
            _changes[targetId] = change;
        }
        else
        {
            SetGlobal(change.Enabled);
            _changes[GlobalKey] = change;
        }
    }

    /// <summary>The last operator change of the global switch, or <see langword="null"/>.</summary>
    public KillSwitchChange? GlobalChange => _changes.TryGetValue(GlobalKey, out var change) ? change : null;

    /// <summary>The targets whose switch an operator set, with the value set.</summary>
    public Dictionary<string, bool> Overrides() => new(_overrides, StringComparer.Ordinal);

    /// <summary>Who turned automatic rollback of the target off and why, when an operator did; that the configuration has it off
    /// (<c>AutoRollback: false</c>) when no switch overrides it; else <see langword="null"/>.</summary>
    public string? DescribeOff(string targetId)
    {
        var change = !_enabled ? GlobalChange : _changes.TryGetValue(targetId, out var target) && !target.Enabled ? target : null;
        if (change is { Enabled: false })
        {
            return $"turned off by {change.ChangedBy} at {change.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z: {change.Reason}";
        }

        return _enabled && !_overrides.ContainsKey(targetId) && _configured.TryGetValue(targetId, out var configured) && !configured
            ? "off in configuration: AutoRollback is false"
            : null;
    }

    /// <summary>Marks the target as past (or no longer past) its point of no return.</summary>
    public void SetPointOfNoReturn(string targetId, bool passed) => _pointOfNoReturn[targetId] = passed;

    /// <summary>Whether the target is past its point of no return.</summary>
    public bool IsPastPointOfNoReturn(string targetId) => _pointOfNoReturn.TryGetValue(targetId, out var passed) && passed;
}

/// <summary>An operator's change of a kill switch.</summary>
/// <param name="TargetId">The target, or <see langword="null"/> for the global switch.</param>
/// <param name="Enabled">Whether automatic rollback is enabled after the change.</param>
/// <param name="ChangedBy">Who.</param>
/// <param name="Reason">Why.</param>
/// <param name="At">When.</param>
internal sealed record KillSwitchChange(string? TargetId, bool Enabled, string ChangedBy, string Reason, DateTimeOffset At);
