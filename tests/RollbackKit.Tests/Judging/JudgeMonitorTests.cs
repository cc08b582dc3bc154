using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Judging;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Sharding;
using RollbackKit.Testing;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Judging;

public class JudgeMonitorTests
{
    private const string Json = """
    {
      "RollbackKit": {
        "MonitorEnabled": false,
        "Targets": [ { "Id": "shop/good", "Labels": { "name": "good" } }, { "Id": "shop/bad", "Labels": { "name": "bad" } } ],
        "Triggers": [
          {
            "Name": "canary-judge",
            "Severity": "Critical",
            "Judge": {
              "Window": "00:10:00", "Step": "00:00:15", "Interval": "00:01:00", "PassScore": 95, "MarginalScore": 75,
              "Metrics": [
                { "Name": "latency", "Canary": "latency{app=\"{{name}}\",track=\"canary\"}", "Baseline": "latency{app=\"{{name}}\",track=\"baseline\"}",
                  "Direction": "Increase", "EffectTolerance": 0.05, "Critical": true, "Weight": 1, "MinSamples": 20, "NoData": "NoData" },
                { "Name": "success", "Canary": "success{app=\"{{name}}\",track=\"canary\"}", "Baseline": "success{app=\"{{name}}\",track=\"baseline\"}",
                  "Direction": "Decrease", "Weight": 2, "MinSamples": 20, "NoData": "Pass" }
              ]
            }
          }
        ],
        "Playbook": { "Steps": [ { "Type": "recording" } ] },
        "Workflow": { "JournalPath": "JOURNAL" }
      }
    }
    """;

    [Fact]
    public async Task Judge_BoundFromJson_FailsTheShiftedTargetOnceWithScoreAndEvidence()
    {
        var source = new ScriptedHistory((expression, target) =>
            expression.StartsWith("latency", StringComparison.Ordinal) && expression.Contains("track=\"canary\"", StringComparison.Ordinal) && target == "shop/bad" ? 110 : 100);
        using var host = BuildHost(Json, source, out var dispatcher, out var time);
        await host.StartAsync();
        var monitor = host.Services.GetRequiredService<JudgeMonitor>();

        var reports = await monitor.JudgeAllAsync();

        Assert.Equal(2, reports.Count);
        var good = reports.Single(r => r.Target == "shop/good");
        Assert.Equal(JudgeClassification.Pass, good.Score!.Value.Classification);
        Assert.Null(good.Dispatch);
        var bad = reports.Single(r => r.Target == "shop/bad");
        Assert.Equal(new JudgeScore(JudgeClassification.Fail, 0, 1, true), bad.Score);
        Assert.Equal(41, bad.Metrics[0].CanaryCount); // 10 minutes at 15 s, both ends
        var request = Assert.Single(dispatcher.Requests);
        Assert.Equal("shop/bad", request.Target.Id);
        Assert.Equal(RollbackTriggerType.MetricTrigger, request.TriggerType);
        Assert.Equal(RollbackSeverity.Critical, request.Severity);
        Assert.Equal("canary-judge", request.RequestedBy);
        Assert.Contains("critical metric", request.Reason, StringComparison.Ordinal);
        Assert.Contains("latency (p=", request.Reason, StringComparison.Ordinal);
        Assert.Matches(@"effect \+(9|10|11)\.\d%", request.Reason);
        var evidence = request.Evidence!;
        Assert.Equal("canary-judge", evidence.TriggerName);
        Assert.Equal(0, evidence.Actual);
        Assert.Contains(evidence.Values, v => v.Name == "latency.p_value" && v.Value < 1e-6);
        Assert.Contains(evidence.Values, v => v.Name == "latency.effect" && v.Value is > 0.08 and < 0.12);
        Assert.DoesNotContain(evidence.Values, v => v.Name.StartsWith("success", StringComparison.Ordinal));
        Assert.Equal("latency (p=", request.Details["judge.failed_metrics"][..11]);

        // Still failing a minute later: not sent again. Healthy, then failing again: sent again.
        time.Advance(TimeSpan.FromMinutes(1));
        await monitor.JudgeAllAsync();
        Assert.Single(dispatcher.Requests);
        source.Shift = false;
        await monitor.JudgeAllAsync();
        source.Shift = true;
        await monitor.JudgeAllAsync();
        Assert.Equal(2, dispatcher.Requests.Count);
        Assert.Equal(4 * 2 * 2, source.RangeQueries); // 4 runs × 2 metrics × (canary, baseline)
        await host.StopAsync();
    }

    [Fact]
    public async Task Judge_Sharded_QueriesAndJudgesOnlyOwnedTargetsAndFollowsOwnership()
    {
        // Two shards with the targets in different ones; this replica first owns only shop/good's.
        var shardCount = Enumerable.Range(2, 30).First(n => TargetShards.ShardOf("shop/good", n) != TargetShards.ShardOf("shop/bad", n));
        var ownership = new SwitchableOwnership(shardCount, TargetShards.ShardOf("shop/good", shardCount));
        var source = new ScriptedHistory((expression, target) =>
            expression.StartsWith("latency", StringComparison.Ordinal) && expression.Contains("track=\"canary\"", StringComparison.Ordinal) && target == "shop/bad" ? 110 : 100);
        using var host = BuildHost(Json, source, out var dispatcher, out _, services => services.AddSingleton<IShardOwnership>(ownership));
        await host.StartAsync();
        var monitor = host.Services.GetRequiredService<JudgeMonitor>();

        var first = await monitor.JudgeAllAsync();

        Assert.Equal(["shop/good"], first.Select(r => r.Target));
        Assert.Equal(["shop/good"], source.TargetsAsked.Distinct());
        Assert.Empty(dispatcher.Requests);

        // The shard of shop/bad is gained (and shop/good's lost): the next run judges it, and its shifted canary is sent.
        ownership.Set(TargetShards.ShardOf("shop/bad", shardCount));
        source.TargetsAsked.Clear();
        var second = await monitor.JudgeAllAsync();

        Assert.Equal(["shop/bad"], second.Select(r => r.Target));
        Assert.Equal(["shop/bad"], source.TargetsAsked.Distinct());
        Assert.Equal("shop/bad", Assert.Single(dispatcher.Requests).Target.Id);
        await host.StopAsync();
    }

    /// <summary>Owns one shard at a time; <see cref="Set"/> moves it and raises the change.</summary>
    private sealed class SwitchableOwnership(int shardCount, int owned) : IShardOwnership
    {
        private int _owned = owned;

        public event EventHandler? OwnershipChanged;

        public int ShardCount => shardCount;

        public bool Owns(int shard) => shard == Volatile.Read(ref _owned);

        public IReadOnlyList<int> GetOwnedShards() => [Volatile.Read(ref _owned)];

        public void Set(int shard)
        {
            Volatile.Write(ref _owned, shard);
            OwnershipChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    [Fact]
    public async Task Judge_SourceError_NoJudgementAndNoRollback()
    {
        var source = new ScriptedHistory((_, _) => 200) { FailTarget = "shop/bad" };
        using var host = BuildHost(Json, source, out var dispatcher, out _);
        await host.StartAsync();

        var reports = await host.Services.GetRequiredService<JudgeMonitor>().JudgeAllAsync();

        var bad = reports.Single(r => r.Target == "shop/bad");
        Assert.Null(bad.Score);
        Assert.Contains("scripted failure", bad.Error, StringComparison.Ordinal);
        Assert.Equal(JudgeClassification.Pass, reports.Single(r => r.Target == "shop/good").Score!.Value.Classification);
        Assert.Empty(dispatcher.Requests);
        await host.StopAsync();
    }

    [Fact]
    public async Task HostedJudge_FakeTimeAdvances_JudgesEveryIntervalAndDispatches()
    {
        var source = new ScriptedHistory((expression, target) =>
            expression.StartsWith("latency", StringComparison.Ordinal) && expression.Contains("track=\"canary\"", StringComparison.Ordinal) && target == "shop/bad" ? 110 : 100);
        using var host = BuildHost(Json.Replace("\"MonitorEnabled\": false", "\"MonitorEnabled\": true", StringComparison.Ordinal), source, out var dispatcher, out var time);
        await host.StartAsync();

        await WaitUntil(() => source.RangeQueries >= 4);
        time.Advance(TimeSpan.FromMinutes(1));
        await WaitUntil(() => source.RangeQueries >= 8);

        Assert.Single(dispatcher.Requests);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("\"Window\": \"00:10:00\"", "\"Window\": \"00:00:00\"", "RollbackKit:Triggers:0:Judge:Window: must be greater than zero (was 00:00:00)")]
    [InlineData("\"MarginalScore\": 75", "\"MarginalScore\": 97", "RollbackKit:Triggers:0:Judge:MarginalScore: must be between 0 and PassScore (95) (was 97)")]
    [InlineData("\"Weight\": 2", "\"Weight\": 0", "RollbackKit:Triggers:0:Judge:Metrics:1:Weight: must be greater than zero (was 0)")]
    [InlineData("\"MinSamples\": 20, \"NoData\": \"Pass\"", "\"MinSamples\": 0, \"NoData\": \"Pass\"", "RollbackKit:Triggers:0:Judge:Metrics:1:MinSamples: must be at least 1 (was 0)")]
    [InlineData("\"EffectTolerance\": 0.05", "\"EffectTolerance\": -0.05", "RollbackKit:Triggers:0:Judge:Metrics:0:EffectTolerance: must be zero or more (was -0.05)")]
    [InlineData("\"Name\": \"success\"", "\"Name\": \"latency\"", "RollbackKit:Triggers:0:Judge:Metrics:1:Name: duplicate metric name 'latency'")]
    [InlineData("\"Severity\": \"Critical\",", "\"Severity\": \"Critical\", \"Condition\": \"x > 1\",", "RollbackKit:Triggers:0:Condition: must be empty on a judge trigger (was 'x > 1')")]
    [InlineData("\"Severity\": \"Critical\",", "\"Severity\": \"Critical\", \"For\": \"00:05:00\",", "RollbackKit:Triggers:0: For, FailureLimit")]
    [InlineData("\"Direction\": \"Increase\",", "\"Direction\": \"Increase\", \"Source\": \"graphite\",", "RollbackKit:Triggers:0:Judge:Metrics:0:Source: no history source named 'graphite' is registered (registered: scripted)")]
    public async Task HostStart_InvalidJudge_FailsNamingKeyPath(string find, string replace, string expected)
    {
        Assert.Contains(find, Json, StringComparison.Ordinal);
        using var host = BuildHost(Json.Replace(find, replace, StringComparison.Ordinal), new ScriptedHistory((_, _) => 1), out _, out _);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_JudgeNextToConditionTriggers_ConditionTriggersStillCompile()
    {
        var json = Json.Replace("\"Triggers\": [", "\"Queries\": [ { \"Name\": \"q\", \"Expression\": \"up\" } ], \"Triggers\": [ { \"Name\": \"plain\", \"Condition\": \"q > 1\" },", StringComparison.Ordinal);
        using var host = BuildHost(json, new ScriptedHistory((_, _) => 1), out _, out _);

        await host.StartAsync();

        var monitor = host.Services.GetRequiredService<JudgeMonitor>();
        Assert.Equal(["canary-judge"], monitor.JudgeNames);
        await host.StopAsync();
    }

    private static IHost BuildHost(string json, ScriptedHistory source, out RecordingDispatcher dispatcher, out FakeTimeProvider time, Action<IServiceCollection>? configure = null)
    {
        var journal = Path.Combine(Path.GetTempPath(), "rbk-judge-" + Guid.NewGuid().ToString("N")[..12], "journal.jsonl");
        json = json.Replace("JOURNAL", journal, StringComparison.Ordinal);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IMetricSource>(new FakeMetricSource());
        builder.Services.AddSingleton<IMetricHistorySource>(source);
        builder.Services.AddSingleton<IPlaybookStepFactory>(new RecordingPlaybookStep());
        dispatcher = new RecordingDispatcher();
        builder.Services.AddSingleton<IRollbackDispatcher>(dispatcher);
        builder.Services.AddRollbackKit();
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // hang guard only
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>History whose canary/baseline values per target follow a function, with ±3 % deterministic noise.</summary>
    private sealed class ScriptedHistory(Func<string, string, double> mean) : IMetricHistorySource
    {
        private int _rangeQueries;

        public string Name => "scripted";

        public bool Shift { get; set; } = true;

        public string? FailTarget { get; init; }

        public int RangeQueries => Volatile.Read(ref _rangeQueries);

        public ConcurrentQueue<string> TargetsAsked { get; } = new();

        public ValueTask QueryRangeAsync(MetricHistory history, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _rangeQueries);
            for (var t = 0; t < history.Targets.Count; t++)
            {
                var target = history.Targets[t].Id;
                TargetsAsked.Enqueue(target);
                if (target == FailTarget)
                {
                    history.SetError(t, 0, history.StepCount, "scripted failure");
                    continue;
                }

                var m = Shift ? mean(history.Query.Expression, target) : 100;
                var noise = CanaryJudgeTests.Series(history.StepCount, 0, seed: t + (history.Query.Expression.Length * 31));
                for (var s = 0; s < history.StepCount; s++)
                {
                    history.SetValue(t, s, m + noise[s]);
                }
            }

            return default;
        }
    }

    private sealed class RecordingDispatcher : IRollbackDispatcher
    {
        private readonly ConcurrentQueue<RollbackRequest> _requests = new();

        public IReadOnlyList<RollbackRequest> Requests => [.. _requests];

        public ValueTask<DispatchResult> DispatchAsync(RollbackRequest request, CancellationToken cancellationToken = default)
        {
            _requests.Enqueue(request);
            return ValueTask.FromResult(new DispatchResult(DispatchStatus.Started, "rb-" + _requests.Count, null));
        }
    }
}
