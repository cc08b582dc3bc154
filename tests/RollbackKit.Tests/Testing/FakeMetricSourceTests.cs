using Microsoft.Extensions.Time.Testing;
using RollbackKit.Metrics;
using RollbackKit.Testing;

namespace RollbackKit.Tests.Testing;

public class FakeMetricSourceTests
{
    private static readonly RollbackTarget A = new("a");
    private static readonly RollbackTarget B = new("b");

    [Fact]
    public async Task QueryAsync_Timeline_AnswersLastStepAtOrBeforeTime()
    {
        var time = new FakeTimeProvider();
        var source = new FakeMetricSource(time)
            .Script("q", (TimeSpan.FromMinutes(1), 1.0), (TimeSpan.FromMinutes(3), FakeMetricValue.Failure("boom")), (TimeSpan.FromMinutes(5), FakeMetricValue.NoData));
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "q", Expression = "q" }, [A]);

        var answers = new List<(MetricSampleStatus, double)>();
        var errors = new List<string?>();
        foreach (var minute in new[] { 0, 1, 2, 3, 5 })
        {
            batch.Reset(source.Start + TimeSpan.FromMinutes(minute));
            await source.QueryAsync(batch, CancellationToken.None);
            answers.Add((batch.Statuses[0], batch.Values[0]));
            errors.Add(batch.Error);
        }

        Assert.Equal(MetricSampleStatus.NoData, answers[0].Item1);
        Assert.Equal((MetricSampleStatus.Value, 1.0), answers[1]);
        Assert.Equal((MetricSampleStatus.Value, 1.0), answers[2]);
        Assert.Equal(MetricSampleStatus.Error, answers[3].Item1);
        Assert.Equal(MetricSampleStatus.NoData, answers[4].Item1);
        Assert.Equal("boom", errors[3]);
        Assert.Null(errors[4]);
    }

    [Fact]
    public async Task QueryAsync_PerTargetScript_OverridesDefault()
    {
        var source = new FakeMetricSource().Set("q", 1).Set("q", 2, targetId: "b");
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "q", Expression = "q" }, [A, B]);

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal([1.0, 2.0], batch.Values.ToArray());
        Assert.Equal(1, source.QueryCount);
    }

    [Fact]
    public async Task QueryAsync_UnknownQuery_NoData()
    {
        var source = new FakeMetricSource();
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "other", Expression = "x" }, [A]);

        await source.QueryAsync(batch, CancellationToken.None);

        Assert.Equal(MetricSampleStatus.NoData, batch.Statuses[0]);
        Assert.True(double.IsNaN(batch.Values[0]));
    }
}
