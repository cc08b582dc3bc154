using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using RollbackKit.Benchmarks.Prometheus;
using RollbackKit.Metrics;
using RollbackKit.Prometheus.Internal;

namespace RollbackKit.Benchmarks.Backtesting;

/// <summary>
/// Parsing a <c>query_range</c> reply (a matrix of 10 series × 5,760 samples, one series per target, matched on its
/// <c>deployment</c> label) into a <see cref="MetricHistory"/>. Baseline: <see cref="JsonSerializer"/> into DTOs with
/// string values, then a label dictionary and <see cref="double.Parse(string, IFormatProvider)"/> per sample. Ours: the
/// history source's sink over <see cref="PrometheusResponseParser"/>.
/// </summary>
[MemoryDiagnoser]
public class RangeReplyParsingBenchmarks
{
    private const int Targets = 10;
    private const int Steps = 5_760;
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(15);
    private static readonly JsonSerializerOptions s_options = PrometheusReplyDtos.Options;
    private readonly byte[] _label = "deployment"u8.ToArray();
    private byte[] _json = [];
    private MetricHistory _history = null!;
    private PrometheusHistorySource.RangeSink _sink = null!;
    private Dictionary<string, int[]> _map = null!;

    [GlobalSetup]
    public void Setup()
    {
        var query = new MetricQueryDefinition { Name = "error_rate", Expression = "x", GroupBy = "deployment" };
        var targets = Enumerable.Range(0, Targets)
            .Select(i => new RollbackTarget($"shop/app-{i}", new Dictionary<string, string> { ["name"] = $"app-{i}" }))
            .ToArray();
        _history = new MetricHistory(query, targets, From, Step, Steps);
        _map = PromQLTargets.MapByLabel(targets, "name");
        _sink = new PrometheusHistorySource.RangeSink(_history, _map, "deployment");
        _json = Encoding.UTF8.GetBytes(MatrixJson());
    }

    [Benchmark(Baseline = true)]
    public int JsonSerializerDtos()
    {
        _history.Reset();
        var response = JsonSerializer.Deserialize<ResponseDto>(_json, s_options)!;
        var fromSeconds = From.ToUnixTimeMilliseconds() / 1000.0;
        var written = 0;
        foreach (var series in response.Data!.Result!)
        {
            if (!series.Metric!.TryGetValue("deployment", out var deployment) || !_map.TryGetValue(deployment, out var indices))
            {
                continue;
            }

            foreach (var sample in series.Values!)
            {
                var step = (int)Math.Round((sample.Timestamp - fromSeconds) / Step.TotalSeconds);
                var value = double.Parse(sample.Value!, CultureInfo.InvariantCulture);
                foreach (var target in indices)
                {
                    _history.SetValue(target, step, value);
                    written++;
                }
            }
        }

        return written;
    }

    [Benchmark]
    public int Utf8ParserIntoHistory()
    {
        _history.Reset();
        _sink.Begin(0, Steps);
        return PrometheusResponseParser.Parse(_json, _label, _sink).SeriesCount;
    }

    private static string MatrixJson()
    {
        var builder = new StringBuilder("""{"status":"success","data":{"resultType":"matrix","result":[""");
        var from = From.ToUnixTimeSeconds();
        for (var i = 0; i < Targets; i++)
        {
            builder.Append(i > 0 ? "," : string.Empty)
                .Append(CultureInfo.InvariantCulture, $$"""{"metric":{"deployment":"app-{{i}}","namespace":"shop","job":"kubernetes-pods"},"values":[""");
            for (var k = 0; k < Steps; k++)
            {
                var value = k % 500 == 0 ? "NaN" : ((k * 0.0137) + (i * 0.1)).ToString("R", CultureInfo.InvariantCulture);
                builder.Append(k > 0 ? "," : string.Empty).Append(CultureInfo.InvariantCulture, $"[{from + (k * 15)},\"{value}\"]");
            }

            builder.Append("]}");
        }

        return builder.Append("]}}").ToString();
    }
}
