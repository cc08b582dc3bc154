using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit.Dispatch;
using RollbackKit.Journal;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;

namespace RollbackKit.Testing;

/// <summary>
/// Wires a user's configuration for <see cref="RollbackKitTestHost.FromConfiguration"/>: RollbackKit and the given adapter
/// registrations exactly as the application adds them, then everything that would leave the process swapped for a recorder.
/// </summary>
internal static class ConfigurationTestHostServices
{
    /// <summary>The name of the one fake source added when no query names a source.</summary>
    public const string DefaultSourceName = "fake";

    /// <summary>The sources the configuration's queries name (<c>Queries:*:Source</c>), or <see cref="DefaultSourceName"/> when none does.</summary>
    public static IReadOnlyList<string> SourceNames(IConfiguration section)
    {
        var names = section.GetSection("Queries").GetChildren()
            .Select(static q => q["Source"])
            .Where(static s => !string.IsNullOrWhiteSpace(s))
            .Select(static s => s!)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        return names.Length == 0 ? [DefaultSourceName] : names;
    }

    public static void Add(IServiceCollection services, IConfiguration section, Action<IRollbackKitBuilder>? registrations, TestHostParts parts)
    {
        services.AddLogging();
        services.AddSingleton<TimeProvider>(parts.Time);
        var builder = services.AddRollbackKit(section);

        // What the core registered for the lock and the monitor's leadership: adapters replace them with cluster-backed ones.
        var coreLock = services.Where(static d => d.ServiceType == typeof(IRollbackLock)).ToArray();
        var coreLeadership = services.Where(static d => d.ServiceType == typeof(IMonitorLeadership)).ToArray();
        registrations?.Invoke(builder);

        Restore(services, typeof(IRollbackLock), coreLock);
        Restore(services, typeof(IMonitorLeadership), coreLeadership);
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(parts.Time);
        services.RemoveAll<IMetricSource>();
        foreach (var source in parts.Sources.Values)
        {
            services.AddSingleton<IMetricSource>(source);
        }

        services.RemoveAll<INotifier>();
        services.AddSingleton<INotifier>(parts.Notifier);
        RecordSteps(services, parts.Recorder);
        RecordDispatches(services);
        var journal = services.Last(static d => d.ServiceType == typeof(IRollbackJournal) && !d.IsKeyedService);
        services.RemoveAll<IRollbackJournal>();
        services.AddSingleton(sp => new ObservedJournal((IRollbackJournal)Create(sp, journal)));
        services.AddSingleton<IRollbackJournal>(static sp => sp.GetRequiredService<ObservedJournal>());
        var directory = parts.Directory ?? throw new ArgumentException("The host needs a directory.", nameof(parts));
        services.PostConfigure<RollbackKitOptions>(options =>
        {
            // The journal and the evidence go to the host's own directory: no state shared with the application or other tests.
            options.Workflow.JournalPath = Path.Combine(directory, "journal.jsonl");
            options.Workflow.EvidenceDirectory = Path.Combine(directory, "evidence");

            // On fake time a drain would wait for a clock nobody advances while the host is disposed.
            options.Workflow.NotifierDrainTimeout = TimeSpan.Zero;
        });
    }

    /// <summary>Puts back what the core registered for <paramref name="type"/> (nothing, when it registered nothing).</summary>
    private static void Restore(IServiceCollection services, Type type, ServiceDescriptor[] original)
    {
        services.RemoveAll(type);
        foreach (var descriptor in original)
        {
            services.Add(descriptor);
        }
    }

    /// <summary>Every step type's factory is wrapped: the real factory checks the settings, a recorder runs instead of the step.</summary>
    private static void RecordSteps(IServiceCollection services, StepRecorder recorder)
    {
        var factories = services.Where(static d => d.ServiceType == typeof(IPlaybookStepFactory) && !d.IsKeyedService).ToArray();
        foreach (var descriptor in factories)
        {
            if (descriptor.ImplementationInstance is RecordingPlaybookStep)
            {
                continue;
            }

            services.Remove(descriptor);
            services.AddSingleton<IPlaybookStepFactory>(sp => new RecordingStepFactory((IPlaybookStepFactory)Create(sp, descriptor), recorder));
        }
    }

    /// <summary>RollbackKit's dispatcher decides; a recorder in front of it keeps every request and answer.</summary>
    private static void RecordDispatches(IServiceCollection services)
    {
        var real = services.Last(static d => d.ServiceType == typeof(IRollbackDispatcher) && !d.IsKeyedService);
        services.RemoveAll<IRollbackDispatcher>();
        services.AddSingleton(sp => new RecordingRollbackDispatcher((IRollbackDispatcher)Create(sp, real)));
        services.AddSingleton<IRollbackDispatcher>(static sp => sp.GetRequiredService<RecordingRollbackDispatcher>());
    }

    private static object Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
}

/// <summary>What a test host is made of besides its service provider.</summary>
internal sealed record TestHostParts(
    CountingFakeTimeProvider Time,
    IReadOnlyDictionary<string, FakeMetricSource> Sources,
    RecordingNotifier Notifier,
    StepRecorder Recorder,
    string? Directory);
