
namespace RollbackKit.Verification;

/// <summary>The health of one target, measured once.</summary>
/// <param name="Healthy"><see langword="true"/> when no rollback trigger's condition fails for the target (no data does not count as failing).</param>
/// <param name="Summary">One line for people, naming the failing triggers and their values.</param>
/// <param name="Values">The values measured.</param>
public readonly record struct TargetHealth(bool Healthy, string Summary, IReadOnlyList<MeasuredValue> Values);

/// <summary>
/// Measures a target's triggers once, now; used to verify that a rollback restored health. The default
/// implementation queries the sources for that target and evaluates the trigger conditions with the monitor's
/// compiled engine (no timing state is read or changed: the answer is the outcome of one measurement).
/// </summary>
public interface ITargetHealthProbe
{
    /// <summary>Measures the target now.</summary>
    /// <param name="target">The target.</param>
    /// <param name="cancellationToken">Cancels the measurement.</param>
    ValueTask<TargetHealth> ProbeAsync(RollbackTarget target, CancellationToken cancellationToken);
}
