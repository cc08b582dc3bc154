using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Sharding;

public class OwnedEvaluationTests
{
    private const int Targets = 600;

    private static readonly string[] Queries = ["canary_error_rate", "baseline_error_rate", "p99"];

    private static readonly TriggerDefinition[] Triggers =
    [
        new() { Name = "errors", Condition = "canary_error_rate > baseline_error_rate * 1.5", For = TimeSpan.FromSeconds(30) },
        new() { Name = "p99", Condition = "p99 > 1.2", ConsecutiveFailureLimit = 2 },
        new() { Name = "general", Condition = "max(canary_error_rate, p99) > 1.5 and not isnan(baseline_error_rate)", FailureLimit = 3, FailureWindow = TimeSpan.FromMinutes(2) },
        new() { Name = "off", Condition = "p99 > 0", Enabled = false },
    ];

    private static EvaluationEngine NewEngine() =>
        new([.. Enumerable.Range(0, Targets).Select(i => new RollbackTarget($"t{i}"))], Queries, Triggers);

    /// <summary>Owned: a long block, scattered single targets and short runs, as hashing into shards gives.</summary>
    private static int[] OwnedIndexes() =>
        [.. Enumerable.Range(0, Targets).Where(i => i is >= 100 and < 400 ? i % 7 != 3 : i % 3 == 0 || i % 5 == 1)];

    private static void Write(EvaluationEngine engine, Random random, ReadOnlySpan<int> only)
    {
        for (var v = 0; v < Queries.Length; v++)
        {
            var values = engine.GetValues(v);
            var statuses = engine.GetStatuses(v);
            foreach (var t in only)
            {
                var roll = random.Next(100);
                values[t] = roll < 3 ? double.NaN : random.NextDouble() * 2;
                statuses[t] = roll < 2 ? MetricSampleStatus.Error : roll < 4 ? MetricSampleStatus.NoData : MetricSampleStatus.Value;
            }
        }
    }

    [Fact]
    public void EvaluateOwned_SameValues_OwnedVerdictsEqualAFullEvaluationAndUnownedAreUntouched()
    {
        var full = NewEngine();
        var owned = NewEngine();
        var indexes = OwnedIndexes();
        var runs = TargetRange.FromIndexes(indexes);
        var all = Enumerable.Range(0, Targets).ToArray();
        var fullVerdicts = new TriggerVerdict[full.VerdictCount];
        var ownedVerdicts = new TriggerVerdict[owned.VerdictCount];
        var untouched = new TriggerVerdict { Outcome = VerdictOutcome.Disabled, Actual = -1, TotalFailures = -1 };
        Array.Fill(ownedVerdicts, untouched);
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        int fullFired = 0, ownedFired = 0, ownedFiredInFull = 0;
        for (var tick = 0; tick < 40; tick++)
        {
            Write(full, new Random(tick), all);
            Write(owned, new Random(tick), all);
            now += TimeSpan.FromSeconds(10);
            fullFired += full.Evaluate(now, fullVerdicts);
            ownedFired += owned.EvaluateOwned(now, runs, ownedVerdicts);
            foreach (var t in indexes)
            {
                for (var trigger = 0; trigger < Triggers.Length; trigger++)
                {
                    var k = (t * Triggers.Length) + trigger;
                    Assert.Equal(fullVerdicts[k], ownedVerdicts[k]);
                    ownedFiredInFull += fullVerdicts[k].Fired || fullVerdicts[k].ErrorLimitReached ? 1 : 0;
                }
            }
        }

        Assert.True(ownedFired > 0);
        Assert.True(fullFired > ownedFired);
        Assert.Equal(ownedFiredInFull, ownedFired);
        var ownedSet = indexes.ToHashSet();
        for (var t = 0; t < Targets; t++)
        {
            if (!ownedSet.Contains(t))
            {
                Assert.All(ownedVerdicts.AsSpan(t * Triggers.Length, Triggers.Length).ToArray(), v => Assert.Equal(untouched, v));
            }
        }
    }

    [Fact]
    public void EvaluateOwned_SteadyState_AllocatesNothing()
    {
        var engine = NewEngine();
        var indexes = OwnedIndexes();
        var runs = TargetRange.FromIndexes(indexes);
        var verdicts = new TriggerVerdict[engine.VerdictCount];
        var random = new Random(3);
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var fired = 0;
        void Tick()
        {
            Write(engine, random, indexes);
            now += TimeSpan.FromSeconds(10);
            fired += engine.EvaluateOwned(now, runs, verdicts);
        }

        for (var i = 0; i < 20; i++)
        {
            Tick();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
        {
            Tick();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(fired > 0);
    }

    [Fact]
    public void FromIndexes_SortedIndexes_MergesNeighboursIntoRuns()
    {
        var runs = TargetRange.FromIndexes([0, 1, 2, 5, 7, 8, 20]);

        Assert.Equal([new TargetRange(0, 3), new TargetRange(5, 6), new TargetRange(7, 9), new TargetRange(20, 21)], runs);
        Assert.Empty(TargetRange.FromIndexes([]));
    }

    [Fact]
    public void EvaluateOwned_RunBeyondTheTargetsOrOverlapping_Throws()
    {
        var engine = NewEngine();
        var verdicts = new TriggerVerdict[engine.VerdictCount];

        Assert.Throws<ArgumentOutOfRangeException>(() => engine.EvaluateOwned(DateTimeOffset.UnixEpoch, [new TargetRange(Targets - 1, Targets + 1)], verdicts));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.EvaluateOwned(DateTimeOffset.UnixEpoch, [new TargetRange(5, 10), new TargetRange(9, 12)], verdicts));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.EvaluateOwned(DateTimeOffset.UnixEpoch, [new TargetRange(5, 5)], verdicts));
    }
}
