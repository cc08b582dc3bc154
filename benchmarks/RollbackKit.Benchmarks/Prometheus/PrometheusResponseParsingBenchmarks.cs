using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using RollbackKit.Prometheus.Internal;

namespace RollbackKit.Benchmarks.Prometheus;

/// <summary>
/// Parsing a Prometheus instant-vector response of 1, 100 and 10,000 series, matching each series on its
/// <c>deployment</c> label. Baseline: <see cref="JsonSerializer"/> into DTOs with string values, then <see cref="double.Parse(string, IFormatProvider)"/>.
/// </summary>
[MemoryDiagnoser]
public class PrometheusResponseParsingBenchmarks
{
    private static readonly JsonSerializerOptions s_options = PrometheusReplyDtos.Options;
    private readonly byte[] _label = "deployment"u8.ToArray();
    private readonly SummingSink _sink = new();
    private byte[] _json = [];

    [Params(1, 100, 10_000)]
    public int Series { get; set; }

    [GlobalSetup]
    public void Setup() => _json = Encoding.UTF8.GetBytes(VectorJson(Series));

    [Benchmark(Baseline = true)]
    public double JsonSerializerDtos()
    {
        var response = JsonSerializer.Deserialize<ResponseDto>(_json, s_options)!;
        var sum = 0.0;
        foreach (var series in response.Data!.Result!)
        {
            if (series.Metric!.TryGetValue("deployment", out _))
            {
                sum += double.Parse(series.Value!.Value!, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    [Benchmark]
    public double Utf8Parser()
    {
        _sink.Sum = 0;
        PrometheusResponseParser.Parse(_json, _label, _sink);
        return _sink.Sum;
    }

    internal static string VectorJson(int series)
    {
        var builder = new StringBuilder("""{"status":"success","data":{"resultType":"vector","result":[""");
        for (var i = 0; i < series; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            var value = i % 50 == 0 ? "NaN" : (i * 0.37 + 1e-5).ToString("R", CultureInfo.InvariantCulture);
            builder.Append(CultureInfo.InvariantCulture, $$$"""{"metric":{"__name__":"http_requests_total","namespace":"shop","deployment":"deploy-{{{i}}}","pod":"deploy-{{{i}}}-7d9f8c6b5-x2k4p","instance":"10.0.{{{i % 250}}}.{{{i % 200}}}:8080","job":"kubernetes-pods"},"value":[1732550400.123,"{{{value}}}"]}""");
        }

        return builder.Append("]}}").ToString();
    }

    private sealed class SummingSink : IPrometheusSampleSink
    {
        public double Sum { get; set; }

        public void OnSample(int seriesIndex, ReadOnlySpan<byte> label, bool hasLabel, double timestamp, double value)
        {
            if (hasLabel)
            {
                Sum += value;
            }
        }
    }
}
