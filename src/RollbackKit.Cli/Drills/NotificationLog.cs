using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Notifications;

namespace RollbackKit.Cli.Drills;

/// <summary>One delivery of a rollback event to one notifier during a drill.</summary>
/// <param name="Time">When the notifier finished (or failed).</param>
/// <param name="Notifier">The notifier's name, for example <c>slack</c>.</param>
/// <param name="Event">What happened.</param>
/// <param name="Step">With <see cref="RollbackEventKind.StepCompleted"/>: the step.</param>
/// <param name="Destination">Where it went, for people (a channel, recipients); never a secret.</param>
/// <param name="Delivered">Whether the notifier returned without an error.</param>
/// <param name="Error">The notifier's error, when it failed.</param>
internal sealed record NotificationRecord(DateTimeOffset Time, string Notifier, RollbackEventKind Event, string? Step, string Destination, bool Delivered, string? Error);

/// <summary>What every notifier was asked to send during a drill, in order of completion.</summary>
internal sealed partial class NotificationLog
{
    private readonly Lock _gate = new();
    private readonly List<NotificationRecord> _records = [];

    /// <summary>Called once per published event (from the fan-out's worker), for the progress display.</summary>
    public Action<RollbackEvent>? Observed { get; set; }

    public IReadOnlyList<NotificationRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    public void Add(NotificationRecord record)
    {
        lock (_gate)
        {
            _records.Add(record);
        }
    }

    /// <summary>
    /// Wraps every registered <see cref="INotifier"/> in a recorder and adds a silent one that reports progress; the real
    /// notifiers still send.
    /// </summary>
    public void Decorate(IServiceCollection services)
    {
        var log = this;
        var notifiers = services.Where(static d => d.ServiceType == typeof(INotifier) && !d.IsKeyedService).ToArray();
        foreach (var descriptor in notifiers)
        {
            services.Remove(descriptor);
            services.AddSingleton<INotifier>(sp => new RecordingNotifier(
                (INotifier)Create(sp, descriptor),
                log,
                new Planning.NotifierDestinations(sp),
                sp.GetRequiredService<TimeProvider>()));
        }

        services.AddSingleton<INotifier>(new ProgressNotifier(log));
    }

    private static object Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);

    /// <summary>Sends through the real notifier and records the outcome.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\b[a-z][a-z0-9+.-]*://\S+", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex Addresses();

    private sealed class RecordingNotifier(INotifier inner, NotificationLog log, Planning.NotifierDestinations destinations, TimeProvider time) : INotifier
    {
        public string Name => inner.Name;

        public async ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
        {
            var destination = destinations.Describe(inner.Name, rollbackEvent.Target.Id);
            try
            {
                await inner.NotifyAsync(rollbackEvent, cancellationToken).ConfigureAwait(false);
                log.Add(new(time.GetUtcNow(), inner.Name, rollbackEvent.Kind, rollbackEvent.StepName, destination, true, null));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Addresses may carry secrets (webhook URLs): the report keeps the error without them.
                log.Add(new(time.GetUtcNow(), inner.Name, rollbackEvent.Kind, rollbackEvent.StepName, destination, false, Addresses().Replace(e.Message, "<address>")));
                throw;
            }
        }
    }

    /// <summary>Not a destination: shows the drill's progress as the events happen; not listed in the report.</summary>
    private sealed class ProgressNotifier(NotificationLog log) : INotifier
    {
        public string Name => "drill-progress";

        public ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
        {
            log.Observed?.Invoke(rollbackEvent);
            return ValueTask.CompletedTask;
        }
    }
}
