using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Backtesting;
using RollbackKit.Dispatch;
using RollbackKit.Groups;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Tests.Workflow;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Backtesting;

/// <summary>
/// For a coordinated group, the backtest decides every fire exactly as the live dispatcher does: the same fires, sent on a fake clock
/// at their instants to RollbackKit's own dispatcher (whose group rollbacks each take the assumed duration), get the same decisions,
/// the same rollbacks and the same words.
/// </summary>
public class GroupBacktestEquivalenceTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly DateTimeOffset T0 = BacktestHost.Start;
    private const int RangeMinutes = 40;

    /// <summary>Per target: up to two failing episodes, each a start minute and a length in minutes.</summary>
    private static readonly Gen<(int From, int Length)[][]> s_episodes =
        Gen.Select(Gen.Int[0, 30], Gen.Int[1, 8]).Array[0, 2].Array[GroupBacktestTests.Targets.Length];

    /// <summary>Cooldown (min), attempts, assumed duration (min), db configured off, web past its point of no return.</summary>
    private static readonly Gen<Settings> s_settings =
        Gen.Select(Gen.OneOf(Gen.Const(0), Gen.Const(3), Gen.Const(10)), Gen.Int[1, 3], Gen.Int[1, 6], Gen.Frequency((4, Gen.Const(false)), (1, Gen.Const(true))), Gen.Frequency((4, Gen.Const(false)), (1, Gen.Const(true))))
            .Select(s => new Settings(s.Item1, s.Item2, s.Item3, s.Item4, s.Item5));

    [Fact]
    public async Task Backtest_TwoMembersOneMinuteApart_DecidesAsTheLiveDispatcher()
    {
        var episodes = new (int, int)[][] { [], [(10, 20)], [(11, 20)], [] };
        var decisions = await AssertEquivalentAsync(new Settings(10, 3, 5, false, false), episodes);

        Assert.Equal([DispatchStatus.Started, DispatchStatus.Joined], decisions);
    }

    [Fact]
    public async Task Backtest_RandomEpisodesOnMembersAndAnOutsider_DecidesAsTheLiveDispatcher()
    {
        await Gen.Select(s_settings, s_episodes).SampleAsync(
            async (settings, episodes) => await AssertEquivalentAsync(settings, episodes),
            iter: 50,
            threads: 1,
            print: t => $"{t.Item1}; {string.Join(" | ", t.Item2.Select(e => string.Join(",", e.Select(x => $"{x.From}+{x.Length}"))))}");
    }

    private static async Task<List<DispatchStatus>> AssertEquivalentAsync(Settings settings, (int From, int Length)[][] episodes)
    {
        var duration = settings.DurationMinutes * Minute;
        var source = new SeriesSource("series", (_, target, at) =>
        {
            var minute = (at - T0).TotalMinutes;
            var failing = episodes[Array.IndexOf(GroupBacktestTests.Targets, target)].Any(e => minute >= e.From && minute < e.From + e.Length);
            return Sample.Of(failing ? 5 : 0.5);
        });

        await using var host = BacktestHost.Create(o => Configure(o, "recording", settings), source);
        var result = await host.Backtester().RunAsync(new BacktestRequest { From = T0, To = T0 + (RangeMinutes * Minute), Step = TimeSpan.FromSeconds(30), AssumedRollbackDuration = duration });

        // Live: RollbackKit's dispatcher on a fake clock; each member's step takes the assumed duration (members run in parallel).
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0);
        await using var live = WorkflowHarness.Create(
            o =>
            {
                o.Targets.Clear();
                Configure(o, "test", settings);
                o.Queries[0].Source = source.Name;
            },
            s => s.AddSingleton<IMetricSource>(source),
            time);
        live.Step = async (ctx, ct) =>
        {
            // Until the assumed end, whenever the step got to start on the fake clock.
            var left = ctx.Request.RequestedAt + duration - live.Time.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left, live.Time, ct);
            }

            return StepResult.Success("rolled back");
        };

        var running = new List<(DateTimeOffset End, string RollbackId)>();
        var answers = new List<DispatchResult>();
        foreach (var fire in result.Fires)
        {
            // Rollbacks that end by this fire end at their own instant, as the backtest assumes.
            foreach (var run in running.Where(r => r.End <= fire.At).OrderBy(r => r.End).ToList())
            {
                time.SetUtcNow(run.End > time.GetUtcNow() ? run.End : time.GetUtcNow());
                await live.WaitAsync(run.RollbackId);
                running.Remove(run);
            }

            if (fire.At > time.GetUtcNow())
            {
                time.SetUtcNow(fire.At);
            }

            var answer = await live.Dispatcher.DispatchAsync(Request(live, fire));
            if (answer.Status == DispatchStatus.Started)
            {
                running.Add((fire.At + duration, answer.RollbackId!));
            }

            answers.Add(answer);
        }

        var liveIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var backtestIds = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < answers.Count; i++)
        {
            var (fire, answer) = (result.Fires[i], answers[i]);
            var what = $"fire {i} of {fire.Target} at {fire.At:HH:mm:ss}";
            Assert.True(answer.Status == fire.Decision, $"{what}: live {answer.Status} ({answer.Message}), backtest {fire.Decision} ({fire.DecisionReason})");
            Assert.Equal(Normalize(answer.RollbackId, liveIds), Normalize(fire.RollbackId, backtestIds));
            Assert.Equal(Array.IndexOf(GroupBacktestTests.Targets, fire.Target) < 3 ? GroupBacktestTests.GroupId : null, fire.Group);
            if (fire.Decision is DispatchStatus.AlertRaised or DispatchStatus.Refused)
            {
                // The same words, the rollback ids aside.
                Assert.Equal(Replace(answer.Message!, liveIds), Replace(fire.DecisionReason, backtestIds));
            }
        }

        return [.. answers.Select(a => a.Status)];
    }

    private static void Configure(RollbackKitOptions o, string stepType, Settings settings)
    {
        GroupBacktestTests.Configure(o, stepType, RollbackGroupOrder.Parallel);
        o.Workflow.Cooldown = settings.CooldownMinutes * Minute;
        o.Workflow.MaxAttemptsPerTarget = settings.Attempts;
        o.Targets[0].AutoRollback = !settings.DbOff;
        if (settings.WebPastPointOfNoReturn)
        {
            o.Workflow.PointOfNoReturnTargets.Add("shop/web");
        }
    }

    /// <summary>The request the monitor sends for a fire (see the monitor's verdict translation).</summary>
    private static RollbackRequest Request(WorkflowHarness live, BacktestFire fire) => new()
    {
        Target = live.Target(fire.Target),
        TriggerType = RollbackTriggerType.MetricTrigger,
        Severity = fire.Severity,
        Reason = fire.Reason,
        RequestedBy = fire.Trigger,
        RequestedAt = fire.At,
        AlertOnly = fire.Action == TriggerAction.AlertOnly,
        Evidence = new TriggerEvidence
        {
            TriggerName = fire.Trigger,
            Condition = "error_rate > 2",
            Values = [],
            DetectedAt = fire.At,
            FirstFailedAt = fire.BreachingSince,
        },
    };

    private static string? Normalize(string? rollbackId, Dictionary<string, string> seen)
    {
        if (rollbackId is null)
        {
            return null;
        }

        if (!seen.TryGetValue(rollbackId, out var name))
        {
            seen[rollbackId] = name = $"#{seen.Count + 1}";
        }

        return name;
    }

    private static string Replace(string message, Dictionary<string, string> seen)
    {
        foreach (var (id, name) in seen)
        {
            message = message.Replace(id, name, StringComparison.Ordinal);
        }

        return message;
    }

    private sealed record Settings(int CooldownMinutes, int Attempts, int DurationMinutes, bool DbOff, bool WebPastPointOfNoReturn);
}
