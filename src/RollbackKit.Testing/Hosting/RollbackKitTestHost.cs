using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Playbooks;

namespace RollbackKit.Testing;

/// <summary>
/// Runs a RollbackKit configuration against a <see cref="FakeMetricSource"/> on fake time, recording rollback requests
/// instead of acting on them. For unit-testing your own trigger configuration.
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

    private readonly ServiceProvider _provider;

    private RollbackKitTestHost(ServiceProvider provider, FakeTimeProvider time, FakeMetricSource source, RecordingRollbackDispatcher dispatcher, RecordingPlaybookStep step)
    {
        Step = step;
        _provider = provider;
        Time = time;
        Source = source;
        Dispatcher = dispatcher;
        Options = provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
        Monitor = provider.GetRequiredService<IRollbackMonitor>();
    }

    /// <summary>The fake clock; <see cref="RunAsync"/> advances it.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The scripted source; queries without a <c>Source</c> use it.</summary>
    public FakeMetricSource Source { get; }

    /// <summary>Records every rollback and alert request.</summary>
    public RecordingRollbackDispatcher Dispatcher { get; }

    /// <summary>A step of type <c>recording</c> that configurations may use in their playbooks.</summary>
    public RecordingPlaybookStep Step { get; }

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
        var time = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var source = new FakeMetricSource(time);
        var dispatcher = new RecordingRollbackDispatcher();
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
        services.AddSingleton<IRollbackDispatcher>(dispatcher);
        configureServices?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            // Validate now, as a host would at start.
            _ = provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
            return new RollbackKitTestHost(provider, time, source, dispatcher, step);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
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

        return await tick.ConfigureAwait(false);
    }

    /// <summary>Ticks now, then advances the clock by the evaluation interval and ticks again, until <paramref name="duration"/> has passed.</summary>
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
            results.Add(await TickAsync(cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
