using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Workflow;

namespace RollbackKit.Testing;

/// <summary>
/// Runs a RollbackKit configuration against scripted <see cref="FakeMetricSource"/>s on fake time. <see cref="Create"/> takes
/// options in code and records rollback requests instead of acting on them; <see cref="FromConfiguration"/> and
/// <see cref="FromJsonFile"/> load your real configuration and run RollbackKit's own dispatcher and workflow, recording the
/// steps instead of running them.
/// </summary>
/// <example>
/// <code>
/// var host = RollbackKitTestHost.Create(o =&gt; { /* targets, queries, triggers */ });
/// host.Source.Script("canary_error_rate", (TimeSpan.Zero, 0.01), (TimeSpan.FromMinutes(1), 0.2));
/// await host.RunAsync(TimeSpan.FromMinutes(10));
/// Assert.Single(host.Dispatcher.Rollbacks);
/// </code>
/// </example>
public sealed class RollbackKitTestHost : IAsyncDisposable
{
    private static readonly TimeSpan PendingPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan PendingStep = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset DefaultStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;
    private readonly TestHostParts _parts;
    private readonly IRollbackController? _controller;
    private readonly ObservedJournal? _journal;
    private HostFingerprint? _settled;

    private RollbackKitTestHost(ServiceProvider provider, TestHostParts parts, RecordingPlaybookStep step, bool runsWorkflow)
    {
        _provider = provider;
        _parts = parts;
        Step = step;
        Dispatcher = provider.GetRequiredService<RecordingRollbackDispatcher>();
        Options = provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
        Monitor = provider.GetRequiredService<IRollbackMonitor>();
        _controller = runsWorkflow ? provider.GetRequiredService<IRollbackController>() : null;
        _journal = runsWorkflow ? provider.GetRequiredService<ObservedJournal>() : null;
    }

    /// <summary>The fake clock; <see cref="RunAsync"/> advances it.</summary>
    public FakeTimeProvider Time => _parts.Time;

    /// <summary>
    /// The scripted source: with <see cref="Create"/> and with a configuration whose queries name no source, the one source (named
    /// <c>fake</c>) that answers every query; otherwise the first of <see cref="Sources"/>.
    /// </summary>
    public FakeMetricSource Source => _parts.Sources.Values.First();

    /// <summary>The scripted sources by name: one per source the configuration's queries name (<c>Queries:*:Source</c>).</summary>
    public IReadOnlyDictionary<string, FakeMetricSource> Sources => _parts.Sources;

    /// <summary>Records every request the monitor (or the test) dispatched, with the dispatcher's answer.</summary>
    public RecordingRollbackDispatcher Dispatcher { get; }

    /// <summary>A step of type <c>recording</c> that configurations may use in their playbooks.</summary>
    public RecordingPlaybookStep Step { get; }

    /// <summary>
    /// The steps run so far, in order, with the settings they were configured with (<see cref="FromConfiguration"/> only: every step
    /// type is recorded there instead of run, after its real factory checked the settings).
    /// </summary>
    public IReadOnlyList<RecordedStep> Steps => _parts.Recorder.Steps;

    /// <summary>Every notification sent so far (started, step completed, succeeded, escalated, …), in order; <see cref="FromConfiguration"/> only.</summary>
    public IReadOnlyList<RollbackEvent> Notifications => _parts.Notifier.Events;

    /// <summary>The notifier that replaced the configured ones; <see cref="RecordingNotifier.WaitForAsync"/> waits for an event.</summary>
    public RecordingNotifier Notifier => _parts.Notifier;

    /// <summary>
    /// The rollbacks RollbackKit's dispatcher started so far, in order, each as it is now (finished ones with their final state and
    /// evidence bundle); <see cref="FromConfiguration"/> only. Requests that did not start one are in <see cref="Dispatcher"/>.
    /// </summary>
    public IReadOnlyList<RollbackStatus> Rollbacks
    {
        get
        {
            if (_controller is null)
            {
                return [];
            }

            var list = new List<RollbackStatus>();
            foreach (var dispatch in Dispatcher.Dispatches)
            {
                if (dispatch.Result is { Status: DispatchStatus.Started, RollbackId: { } id } && StatusOf(_controller, id) is { } status)
                {
                    list.Add(status);
                }
            }

            return list;
        }
    }

    /// <summary>The validated options.</summary>
    public RollbackKitOptions Options { get; }

    /// <summary>The monitor, to tick by hand.</summary>
    public IRollbackMonitor Monitor { get; }

    /// <summary>The services, for anything else.</summary>
    public IServiceProvider Services => _provider;

    /// <summary>Builds a host. Invalid configuration throws <see cref="OptionsValidationException"/> naming the key path.</summary>
    /// <param name="configure">Configures the options (targets, queries, triggers).</param>
    /// <param name="start">The start time of the fake clock. Default: 2026-01-01T00:00:00Z.</param>
    /// <param name="configureServices">Adds or replaces services.</param>
    public static RollbackKitTestHost Create(
        Action<RollbackKitOptions> configure,
        DateTimeOffset? start = null,
        Action<IServiceCollection>? configureServices = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var time = new CountingFakeTimeProvider(start ?? DefaultStart);
        var source = new FakeMetricSource(time);
        var parts = new TestHostParts(time, new Dictionary<string, FakeMetricSource> { [source.Name] = source }, new RecordingNotifier(), new StepRecorder(time), null);
        var step = new RecordingPlaybookStep();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IMetricSource>(source);
        services.AddSingleton<IPlaybookStepFactory>(step);
        services.AddRollbackKit(options =>
        {
            // On fake time a drain would wait for a clock nobody advances; the host records, it does not notify.
            options.Workflow.NotifierDrainTimeout = TimeSpan.Zero;
            configure(options);
        });
        services.RemoveAll<IRollbackDispatcher>();
        var dispatcher = new RecordingRollbackDispatcher();
        services.AddSingleton(dispatcher);
        services.AddSingleton<IRollbackDispatcher>(dispatcher);
        configureServices?.Invoke(services);
        return Build(services, parts, step, runsWorkflow: false);
    }

    /// <summary>
    /// Builds a host from your application's configuration, unchanged: the section <paramref name="sectionName"/> is bound and
    /// validated exactly as <c>AddRollbackKit</c> does at start, together with the adapters <paramref name="registrations"/> adds
    /// (pass what your application calls, for example <c>rollbackKit =&gt; rollbackKit.AddKubernetes().AddHelm()</c>). Then
    /// everything that would leave the process is replaced:
    /// <list type="bullet">
    /// <item>each metric source the queries name (<c>Queries:*:Source</c>) becomes a <see cref="FakeMetricSource"/> of the same name
    /// (one named <c>fake</c> when no query names one); sources the adapters registered are removed;</item>
    /// <item>every step type, the adapters' (<c>kubernetes.*</c>, <c>helm.*</c>), the built-in ones and yours, is recorded in
    /// <see cref="Steps"/> instead of run, after the step type's real factory has checked the step's settings, so a setting it
    /// rejects fails here with its key path as it would at start. Adapters are not referenced by this package: their
    /// registrations run as in your application and the host then wraps each registered <see cref="IPlaybookStepFactory"/>;</item>
    /// <item>notifiers (Slack, PagerDuty, …) become one <see cref="RecordingNotifier"/>; a cluster lock or leader election goes back
    /// to the in-process default; the journal and evidence bundles go to a temporary directory removed on dispose.</item>
    /// </list>
    /// RollbackKit's own dispatcher, approval gate, workflow and verification run on the fake clock (<see cref="Time"/>).
    /// </summary>
    /// <param name="configuration">The application's configuration (the root, as the host builds it).</param>
    /// <param name="registrations">The adapter registrations your application makes on the RollbackKit builder; optional.</param>
    /// <param name="sectionName">The section RollbackKit binds. Default: <c>RollbackKit</c>.</param>
    /// <param name="start">The start time of the fake clock. Default: 2026-01-01T00:00:00Z.</param>
    /// <returns>The host.</returns>
    /// <exception cref="OptionsValidationException">The configuration is invalid; the message names each key path.</exception>
    public static RollbackKitTestHost FromConfiguration(
        IConfiguration configuration,
        Action<IRollbackKitBuilder>? registrations = null,
        string sectionName = RollbackKitOptions.SectionName,
        DateTimeOffset? start = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionName);
        var time = new CountingFakeTimeProvider(start ?? DefaultStart);
        var section = configuration.GetSection(sectionName);
        var sources = ConfigurationTestHostServices.SourceNames(section)
            .ToDictionary(static n => n, n => new FakeMetricSource(time, n), StringComparer.OrdinalIgnoreCase);
        var directory = Directory.CreateTempSubdirectory("rollbackkit-testhost-").FullName;
        var parts = new TestHostParts(time, sources, new RecordingNotifier(), new StepRecorder(time), directory);
        var step = new RecordingPlaybookStep();
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddSingleton<IPlaybookStepFactory>(step);
        try
        {
            ConfigurationTestHostServices.Add(services, section, registrations, parts);
            return Build(services, parts, step, runsWorkflow: true);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Builds a host from a JSON settings file (your <c>appsettings.json</c>), as <see cref="FromConfiguration"/> does.</summary>
    /// <param name="path">The file; a relative path is resolved against the test assembly's directory (where <c>CopyToOutputDirectory</c> puts it).</param>
    /// <param name="registrations">The adapter registrations your application makes on the RollbackKit builder; optional.</param>
    /// <param name="sectionName">The section RollbackKit binds. Default: <c>RollbackKit</c>.</param>
    /// <param name="start">The start time of the fake clock. Default: 2026-01-01T00:00:00Z.</param>
    /// <returns>The host.</returns>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="OptionsValidationException">The configuration is invalid; the message names each key path.</exception>
    public static RollbackKitTestHost FromJsonFile(
        string path,
        Action<IRollbackKitBuilder>? registrations = null,
        string sectionName = RollbackKitOptions.SectionName,
        DateTimeOffset? start = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path, AppContext.BaseDirectory);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"No settings file at '{full}'.", full);
        }

        var configuration = new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
        return FromConfiguration(configuration, registrations, sectionName, start);
    }

    /// <summary>Makes steps of a type (or with a name) return <paramref name="respond"/>'s result instead of succeeding.</summary>
    /// <param name="stepTypeOrName">The step's configured <c>Type</c> or <c>Name</c> (the name wins when both match).</param>
    /// <param name="respond">The result for each execution, for example <c>_ =&gt; StepResult.Failure("forbidden", transient: false)</c>.</param>
    public void RespondToStep(string stepTypeOrName, Func<RecordedStep, StepResult> respond)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stepTypeOrName);
        ArgumentNullException.ThrowIfNull(respond);
        _parts.Recorder.Respond(stepTypeOrName, respond);
    }

    /// <summary>
    /// Runs one monitor tick now. While the tick waits on a real source (an HTTP server), the fake clock is moved on by
    /// 100 ms every 10 ms of real waiting, so the source's retry delays and timeouts, which run on this clock, elapse;
    /// a tick answered at once (the <see cref="FakeMetricSource"/>) does not move the clock.
    /// </summary>
    /// <param name="cancellationToken">Cancels the tick.</param>
    /// <returns>What the tick did.</returns>
    public async Task<MonitorTickResult> TickAsync(CancellationToken cancellationToken = default)
    {
        var tick = Monitor.TickAsync(cancellationToken).AsTask();
        while (!tick.IsCompleted)
        {
            await Task.WhenAny(tick, Task.Delay(PendingPoll, TimeProvider.System, cancellationToken)).ConfigureAwait(false);
            if (!tick.IsCompleted)
            {
                Time.Advance(PendingStep);
            }
        }

        var result = await tick.ConfigureAwait(false);
        await SettleAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Ticks now, then advances the clock by the evaluation interval and ticks again, until <paramref name="duration"/> has passed.
    /// Between ticks, rollbacks in progress (<see cref="FromConfiguration"/>) run until they wait on the fake clock (an
    /// acknowledgement timeout, a verification interval) or finish.
    /// </summary>
    /// <param name="duration">How much fake time to run.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The tick results, in order.</returns>
    public async Task<IReadOnlyList<MonitorTickResult>> RunAsync(TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var results = new List<MonitorTickResult>();
        var end = Time.GetUtcNow() + duration;
        results.Add(await TickAsync(cancellationToken).ConfigureAwait(false));
        while (Time.GetUtcNow() + Options.EvaluationInterval <= end)
        {
            Time.Advance(Options.EvaluationInterval);
            await SettleAsync(cancellationToken).ConfigureAwait(false);
            results.Add(await TickAsync(cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync().ConfigureAwait(false);
        if (_parts.Directory is { } directory && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static RollbackKitTestHost Build(ServiceCollection services, TestHostParts parts, RecordingPlaybookStep step, bool runsWorkflow)
    {
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            // Validate now, as a host would at start: RollbackKit's options (with every step's settings), then the adapters'.
            _ = provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
            provider.GetService<IStartupValidator>()?.Validate();
            return new RollbackKitTestHost(provider, parts, step, runsWorkflow);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    private static RollbackStatus? StatusOf(IRollbackController controller, string rollbackId)
    {
        var completion = controller.WaitForCompletionAsync(rollbackId);
        if (completion.IsCompletedSuccessfully)
        {
            return completion.Result;
        }

        foreach (var active in controller.GetActiveRollbacks())
        {
            if (string.Equals(active.RollbackId, rollbackId, StringComparison.Ordinal))
            {
                return active;
            }
        }

        return null;
    }

    /// <summary>
    /// Lets rollbacks in progress run on the thread pool until no journal write is pending and nothing has changed (states,
    /// steps, notifications, dispatches, journal entries, timers armed or fired) for a short quiet period: they then wait on the
    /// fake clock or have finished. Returns at once when
    /// nothing changed since the last time it settled. Bounded, so a stuck step fails a test's assertion instead of hanging it.
    /// </summary>
    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        if (_controller is null)
        {
            return;
        }

        var current = Fingerprint();
        if (current == _settled)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var quietSince = started;
        while ((Stopwatch.GetElapsedTime(quietSince) < QuietPeriod || _journal!.Pending > 0) && Stopwatch.GetElapsedTime(started) < SettleLimit)
        {
            await Task.Delay(PendingPoll, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            var next = Fingerprint();
            if (next != current)
            {
                current = next;
                quietSince = Stopwatch.GetTimestamp();
            }
        }

        _settled = current;
    }

    private HostFingerprint Fingerprint()
    {
        var active = _controller!.GetActiveRollbacks();
        var states = 0;
        foreach (var rollback in active)
        {
            states = HashCode.Combine(states, rollback.RollbackId, rollback.State);
        }

        return new HostFingerprint(_parts.Time.TimersCreated, _parts.Time.TimersFired, _parts.Recorder.Count, _parts.Notifier.Events.Count,
            Dispatcher.Dispatches.Count, _journal!.Appended, states);
    }

    private readonly record struct HostFingerprint(int Timers, int Fired, int Steps, int Notifications, int Dispatches, int Journal, int States);
}
