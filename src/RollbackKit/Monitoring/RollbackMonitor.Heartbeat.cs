using System.Globalization;
using RollbackKit.Metrics;

namespace RollbackKit.Monitoring;

/// <summary>The monitor's liveness (<see cref="IMonitorHeartbeat"/>): recorded by the loop and each tick, read by health checks.</summary>
internal sealed partial class RollbackMonitor : IMonitorHeartbeat
{
    private readonly Lock _heartbeatLock = new();
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _lastTickCompletedAt;
    private bool _lastTickSkippedNotLeader;
    private DateTimeOffset? _lastQueriedAt;
    private string?[] _lastQueryErrors = [];

    public MonitorHeartbeat Read()
    {
        lock (_heartbeatLock)
        {
            MonitorQueryOutcome[] queries = [];
            if (_lastQueriedAt is not null)
            {
                queries = new MonitorQueryOutcome[_lastQueryErrors.Length];
                for (var i = 0; i < queries.Length; i++)
                {
                    queries[i] = new MonitorQueryOutcome(_configuration.QueryNames[i], _configuration.SourceOf(i).Name, _lastQueryErrors[i]);
                }
            }

            return new MonitorHeartbeat(
                _options.EvaluationInterval,
                DisabledReason(),
                _startedAt,
                _lastTickCompletedAt,
                _lastTickSkippedNotLeader,
                _lastQueriedAt,
                queries);
        }
    }

    private string? DisabledReason()
    {
        if (!_options.MonitorEnabled)
        {
            return "monitor disabled (MonitorEnabled is false)";
        }

        var targets = _configuration.Targets.Count;
        var triggers = _configuration.Triggers.Count;
        return targets == 0 || triggers == 0
            ? string.Create(CultureInfo.InvariantCulture, $"nothing to monitor ({targets} targets, {triggers} triggers)")
            : null;
    }

    /// <summary>The hosted loop started.</summary>
    private void HeartbeatStarted()
    {
        lock (_heartbeatLock)
        {
            _startedAt = _time.GetUtcNow();
        }
    }

    /// <summary>A tick was skipped because this replica is not the leader.</summary>
    private void HeartbeatSkipped()
    {
        lock (_heartbeatLock)
        {
            _lastTickCompletedAt = _time.GetUtcNow();
            _lastTickSkippedNotLeader = true;
        }
    }

    /// <summary>A tick evaluated at <paramref name="evaluatedAt"/> completed; keeps each query's error (allocates on the first tick only).</summary>
    private void HeartbeatTicked(MetricQueryBatch[] batches, DateTimeOffset evaluatedAt)
    {
        lock (_heartbeatLock)
        {
            if (_lastQueryErrors.Length != batches.Length)
            {
                _lastQueryErrors = new string?[batches.Length];
            }

            for (var i = 0; i < batches.Length; i++)
            {
                _lastQueryErrors[i] = batches[i].Error;
            }

            _lastQueriedAt = evaluatedAt;
            _lastTickCompletedAt = _time.GetUtcNow();
            _lastTickSkippedNotLeader = false;
        }
    }
}
