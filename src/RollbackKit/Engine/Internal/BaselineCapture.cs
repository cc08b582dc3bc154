using RollbackKit.Metrics;

namespace RollbackKit.Engine.Internal;

/// <summary>Capture state of one baseline, per target: a running average of its query over the capture window.</summary>
internal sealed class BaselineCapture(int valueIndex, int queryIndex, long windowTicks, int count)
{
    private const long NotCapturing = long.MinValue;

    private readonly long[] _start = Filled(count);
    private readonly double[] _sum = new double[count];
    private readonly int[] _samples = new int[count];
    private int _capturing;

    /// <summary>The baseline's index in the value table.</summary>
    public int ValueIndex { get; } = valueIndex;

    public bool IsCapturing(int target) => _start[target] != NotCapturing;

    public void Start(int target, long now, double[][] values, MetricSampleStatus[][] statuses)
    {
        if (_start[target] == NotCapturing)
        {
            _capturing++;
        }

        _start[target] = now;
        _sum[target] = 0;
        _samples[target] = 0;
        values[ValueIndex][target] = double.NaN;
        statuses[ValueIndex][target] = MetricSampleStatus.None;
    }

    public void Set(int target, double value, double[][] values, MetricSampleStatus[][] statuses)
    {
        if (_start[target] != NotCapturing)
        {
            _start[target] = NotCapturing;
            _capturing--;
        }

        values[ValueIndex][target] = value;
        statuses[ValueIndex][target] = double.IsNaN(value) ? MetricSampleStatus.NoData : MetricSampleStatus.Value;
    }

    public void Update(long now, double[][] values, MetricSampleStatus[][] statuses)
    {
        if (_capturing == 0)
        {
            return;
        }

        var queryValues = values[queryIndex];
        var queryStatuses = statuses[queryIndex];
        for (var i = 0; i < _start.Length; i++)
        {
            var start = _start[i];
            if (start == NotCapturing)
            {
                continue;
            }

            if (now - start >= windowTicks)
            {
                var samples = _samples[i];
                values[ValueIndex][i] = samples > 0 ? _sum[i] / samples : double.NaN;
                statuses[ValueIndex][i] = samples > 0 ? MetricSampleStatus.Value : MetricSampleStatus.NoData;
                _start[i] = NotCapturing;
                _capturing--;
            }
            else if (queryStatuses[i] == MetricSampleStatus.Value && !double.IsNaN(queryValues[i]))
            {
                _sum[i] += queryValues[i];
                _samples[i]++;
            }
        }
    }

    private static long[] Filled(int count)
    {
        var start = new long[count];
        Array.Fill(start, NotCapturing);
        return start;
    }
}
