using RollbackKit.Metrics;

namespace RollbackKit.Testing;

/// <summary>What a <see cref="FakeMetricSource"/> answers for one target at one time: a value, no data, or an error.</summary>
public readonly record struct FakeMetricValue
{
    /// <summary>The status reported.</summary>
    public MetricSampleStatus Status { get; init; }

    /// <summary>The value when <see cref="Status"/> is <see cref="MetricSampleStatus.Value"/>.</summary>
    public double Value { get; init; }

    /// <summary>The error message when <see cref="Status"/> is <see cref="MetricSampleStatus.Error"/>.</summary>
    public string? Error { get; init; }

    /// <summary>A value.</summary>
    /// <param name="value">The value.</param>
    public static FakeMetricValue Of(double value) => new() { Status = MetricSampleStatus.Value, Value = value };

    /// <summary>No data (an empty result).</summary>
    public static FakeMetricValue NoData { get; } = new() { Status = MetricSampleStatus.NoData, Value = double.NaN };

    /// <summary>A source error.</summary>
    /// <param name="message">The error message.</param>
    public static FakeMetricValue Failure(string message = "fake source error") => new() { Status = MetricSampleStatus.Error, Value = double.NaN, Error = message };

    /// <summary>Converts a number to a value.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator FakeMetricValue(double value) => Of(value);

    /// <summary>Converts a number to a value.</summary>
    /// <param name="value">The value.</param>
    public static FakeMetricValue FromDouble(double value) => Of(value);
}
