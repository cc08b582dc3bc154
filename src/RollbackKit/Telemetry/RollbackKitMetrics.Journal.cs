using System.Diagnostics.Metrics;

namespace RollbackKit.Telemetry;

internal sealed partial class RollbackKitMetrics
{
    private Counter<long> _journalQuarantined = null!;
    private Counter<long> _stepsInterrupted = null!;

    partial void CreateJournalInstruments(Meter meter)
    {
        _journalQuarantined = meter.CreateCounter<long>("rollbackkit.journal.quarantined", "{line}", "Journal lines that were not valid records, set aside in the .corrupt file.");
        _stepsInterrupted = meter.CreateCounter<long>("rollbackkit.step.interrupted", "{step}", "Steps found started and not finished when a rollback resumed, by what was done with them.");
    }

    /// <summary>A journal line was set aside.</summary>
    public void JournalLineQuarantined() => _journalQuarantined.Add(1);

    /// <summary>A resumed rollback found a step started and not finished; <paramref name="decision"/> is skipped, rerun or paused.</summary>
    public void StepInterrupted(string stepType, string decision) =>
        _stepsInterrupted.Add(1, new KeyValuePair<string, object?>(RollbackKitTags.StepType, stepType), new KeyValuePair<string, object?>(RollbackKitTags.Outcome, decision));
}
