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
    private readonly Dictionary<string, bool> _configured;
    private readonly ConcurrentDictionary<string, bool> _overrides = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _pointOfNoReturn = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
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

    /// <summary>Marks the target as past (or no longer past) its point of no return.</summary>
    public void SetPointOfNoReturn(string targetId, bool passed) => _pointOfNoReturn[targetId] = passed;

    /// <summary>Whether the target is past its point of no return.</summary>
    public bool IsPastPointOfNoReturn(string targetId) => _pointOfNoReturn.TryGetValue(targetId, out var passed) && passed;
}
