using RollbackKit.Journal;

namespace RollbackKit.Redaction;

/// <summary>Redacts every string of an entry before it reaches the journal (the journal's store never sees a secret).</summary>
internal sealed class RedactingRollbackJournal(IRollbackJournal inner, SecretRedactor redactor) : IRollbackJournal
{
    public ValueTask AppendAsync(JournalEntry entry, CancellationToken cancellationToken = default) =>
        inner.AppendAsync(JsonRedaction.Redact(entry, redactor, JournalJson.Options), cancellationToken);

    public ValueTask<IReadOnlyList<JournalEntry>> ReadAsync(string? targetId = null, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(targetId, cancellationToken);
}
