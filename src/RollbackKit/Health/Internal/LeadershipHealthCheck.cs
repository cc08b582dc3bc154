using Microsoft.Extensions.Diagnostics.HealthChecks;
using RollbackKit.Monitoring;
using RollbackKit.Redaction;

namespace RollbackKit.Health.Internal;

/// <summary>
/// <c>rollbackkit-leadership</c>: asks the configured <see cref="IMonitorLeadership"/> whether this replica leads. Healthy
/// either way (data <c>leader</c>); unhealthy when asking failed or did not answer within the timeout.
/// </summary>
internal sealed class LeadershipHealthCheck(IMonitorLeadership leadership, TimeProvider time, RollbackKitHealthCheckOptions options, SecretRedactor redactor) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var kind = leadership.GetType().Name;
        using var timeout = new CancellationTokenSource(options.LeadershipTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var leader = await leadership.IsLeaderAsync(linked.Token).ConfigureAwait(false);
            var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["leader"] = leader, ["leadership"] = kind };
            return HealthCheckResult.Healthy(leader ? "this replica is the leader: its monitor evaluates" : "this replica is a standby: another replica leads", data);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy(
                $"asking {kind} for leadership did not answer within {HealthText.Duration(options.LeadershipTimeout)}",
                data: new Dictionary<string, object>(StringComparer.Ordinal) { ["leadership"] = kind });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Any failure to answer is the unhealthy result this check exists to report.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var error = redactor.Redact($"{ex.GetType().Name}: {ex.Message}") ?? ex.GetType().Name;
            return HealthCheckResult.Unhealthy(
                $"asking {kind} for leadership failed: {error}",
                data: new Dictionary<string, object>(StringComparer.Ordinal) { ["leadership"] = kind, ["error"] = error });
        }
    }
}
