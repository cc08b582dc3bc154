namespace RollbackKit.Notifications;

/// <summary>
/// Durable per-rollback conversation state of notifiers (a Slack thread, an open PagerDuty incident), so that a rollback
/// resumed after a restart continues the same conversation. The default store writes
/// <see cref="Journal.JournalEntryKind.NotifierState"/> records to the rollback journal and reads them back on first use.
/// Values must never be secrets.
/// </summary>
public interface INotificationStateStore
{
    /// <summary>Reads a value, or <see langword="null"/> when none is recorded (or it was cleared).</summary>
    /// <param name="notifier">The notifier's name, for example <c>slack</c>.</param>
    /// <param name="rollbackId">The rollback.</param>
    /// <param name="key">The value's name, for example <c>thread_ts</c>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    ValueTask<string?> GetAsync(string notifier, string rollbackId, string key, CancellationToken cancellationToken = default);

    /// <summary>Records a value durably (flushed before this completes); <see langword="null"/> clears it.</summary>
    /// <param name="notifier">The notifier's name, for example <c>slack</c>.</param>
    /// <param name="rollbackId">The rollback.</param>
    /// <param name="targetId">The rollback's target id.</param>
    /// <param name="values">The values that changed; a <see langword="null"/> value clears that key.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the values are recorded.</returns>
    ValueTask SetAsync(string notifier, string rollbackId, string targetId, IReadOnlyDictionary<string, string?> values, CancellationToken cancellationToken = default);
}
