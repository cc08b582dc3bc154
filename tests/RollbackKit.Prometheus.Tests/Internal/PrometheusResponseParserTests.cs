using System.Text;
using System.Text.Json;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Prometheus.Tests.Integration;

namespace RollbackKit.Prometheus.Tests.Internal;

public sealed class PrometheusResponseParserTests
{
    private static PrometheusResponseInfo Parse(string json, string label, out CollectingSink sink)
    {
        sink = new CollectingSink();
        return PrometheusResponseParser.Parse(Encoding.UTF8.GetBytes(json), Encoding.UTF8.GetBytes(label), sink);
    }

    [Fact]
    public void Parse_Vector_ReturnsMatchedLabelAndValuePerSeries()
    {
        const string json = """
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"__name__":"x","deployment":"checkout","pod":"a"},"value":[1700000000.123,"1.5"]},
              {"metric":{"deployment":"cart"},"value":[1700000000.123,"2"]},
              {"metric":{"other":"z"},"value":[1700000000.123,"3"]}]}}
            """;

        var info = Parse(json, "deployment", out var sink);

        Assert.True(info.IsSuccess);
        Assert.Equal(PrometheusResultType.Vector, info.ResultType);
        Assert.Equal(3, info.SeriesCount);
        Assert.Equal([1.5, 2, 3], sink.Values);
        Assert.Equal(["checkout", "cart", null], sink.Labels);
    }

    [Theory]
    [InlineData("NaN", double.NaN)]
    [InlineData("+Inf", double.PositiveInfinity)]
    [InlineData("-Inf", double.NegativeInfinity)]
    [InlineData("1e-05", 1e-05)]
    [InlineData("-2.5E+10", -2.5e10)]
    [InlineData("0", 0)]
    [InlineData("123456789.125", 123456789.125)]
    public void Parse_SpecialAndExponentValues_ParseInvariantly(string text, double expected)
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            Parse("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"TEXT"]}]}}""".Replace("TEXT", text, StringComparison.Ordinal), "", out var sink);

            Assert.Equal(expected, Assert.Single(sink.Values));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Fact]
    public void TryParseValue_ManyDecimalForms_MatchesDoubleParseExactly()
    {
        var random = new Random(42);
        var formats = new[] { "R", "F0", "F1", "F3", "F6", "F9", "G15", "G17", "E3" };
        for (var i = 0; i < 20_000; i++)
        {
            var number = (random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-8, 16));
            var text = number.ToString(formats[i % formats.Length], System.Globalization.CultureInfo.InvariantCulture);

            Assert.True(PrometheusResponseParser.TryParseValue(Encoding.UTF8.GetBytes(text), out var parsed), text);
            Assert.Equal(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture), parsed);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("1.2.3")]
    [InlineData("12a")]
    public void TryParseValue_NotANumber_ReturnsFalse(string text) =>
        Assert.False(PrometheusResponseParser.TryParseValue(Encoding.UTF8.GetBytes(text), out _));

    [Fact]
    public void Parse_Scalar_ReturnsOneValueWithoutLabel()
    {
        var info = Parse("""{"status":"success","data":{"resultType":"scalar","result":[1700000000,"42.5"]}}""", "deployment", out var sink);

        Assert.Equal(PrometheusResultType.Scalar, info.ResultType);
        Assert.Equal(1, info.SeriesCount);
        Assert.Equal([42.5], sink.Values);
        Assert.Equal([null], sink.Labels);
    }

    [Fact]
    public void Parse_String_IsReportedWithoutSamples()
    {
        var info = Parse("""{"status":"success","data":{"resultType":"string","result":[1700000000,"hello"]}}""", "", out var sink);

        Assert.Equal(PrometheusResultType.String, info.ResultType);
        Assert.Empty(sink.Values);
    }

    [Fact]
    public void Parse_Matrix_EmitsEverySampleWithLabelEvenWhenMetricComesLast()
    {
        const string json = """
            {"status":"success","data":{"resultType":"matrix","result":[
              {"values":[[1,"1"],[2,"2"]],"metric":{"deployment":"late"}},
              {"metric":{"deployment":"early"},"values":[[1,"3"]]}]}}
            """;

        var info = Parse(json, "deployment", out var sink);

        Assert.Equal(PrometheusResultType.Matrix, info.ResultType);
        Assert.Equal(2, info.SeriesCount);
        Assert.Equal([1.0, 2, 3], sink.Values);
        Assert.Equal(["late", "late", "early"], sink.Labels);
    }

    [Fact]
    public void Parse_ValueBeforeMetricAndDataBeforeStatus_StillMatchesLabel()
    {
        var info = Parse("""{"data":{"result":[{"value":[1,"7"],"metric":{"deployment":"x"}}],"resultType":"vector"},"status":"success"}""", "deployment", out var sink);

        Assert.True(info.IsSuccess);
        Assert.Equal(PrometheusResultType.Vector, info.ResultType);
        Assert.Equal(["x"], sink.Labels);
    }

    [Fact]
    public void Parse_EscapedAndLongLabelValues_AreUnescaped()
    {
        var longValue = new string('a', 1000);
        var info = Parse("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"deployment":"a\"b\\c\u00e9"},"value":[1,"1"]},{"metric":{"deployment":"LONG"},"value":[1,"2"]}]}}""".Replace("LONG", longValue, StringComparison.Ordinal), "deployment", out var sink);

        Assert.Equal(2, info.SeriesCount);
        Assert.Equal(["a\"b\\cé", longValue], sink.Labels);
    }

    [Fact]
    public void Parse_Warnings_AreSurfaced()
    {
        var info = Parse("""{"status":"success","data":{"resultType":"vector","result":[]},"warnings":["something odd","another"]}""", "", out _);

        Assert.Equal(["something odd", "another"], info.Warnings);
        Assert.Equal(0, info.SeriesCount);
    }

    [Fact]
    public void Parse_ErrorEnvelope_ReturnsTypeAndMessage()
    {
        var info = Parse("""{"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left parenthesis"}""", "", out _);

        Assert.False(info.IsSuccess);
        Assert.Equal("bad_data", info.ErrorType);
        Assert.Contains("unclosed", info.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]""")]
    [InlineData("""{"data":{}}""")]
    [InlineData("""[1,2,3]""")]
    public void Parse_MalformedInput_Throws(string json)
    {
        var ex = Record.Exception(() => Parse(json, "deployment", out _));

        Assert.True(ex is JsonException or FormatException, ex?.GetType().Name ?? "no exception");
    }

    [Fact]
    public void Parse_TenThousandSeries_AllocationDoesNotGrowPerSample()
    {
        var small = Encoding.UTF8.GetBytes(VectorJson(10));
        var large = Encoding.UTF8.GetBytes(VectorJson(10_000));
        var sink = new CountingSink();
        var label = "deployment"u8.ToArray();
        PrometheusResponseParser.Parse(small, label, sink);
        PrometheusResponseParser.Parse(large, label, sink);

        var before = GC.GetAllocatedBytesForCurrentThread();
        PrometheusResponseParser.Parse(small, label, sink);
        var smallBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        PrometheusResponseParser.Parse(large, label, sink);
        var largeBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(2 * (10_000 + 10), sink.Count);
        Assert.True(largeBytes <= smallBytes + 64, $"10 series: {smallBytes} B, 10,000 series: {largeBytes} B");
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

            builder.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""{"metric":{"__name__":"http_requests_total","namespace":"shop","deployment":"deploy-{{i}}","pod":"deploy-{{i}}-7d9f8c6b5-x2k4p","instance":"10.0.{{i % 250}}.{{i % 200}}:8080","job":"kubernetes-pods"},"value":[1732550400.123,"{{(i * 0.37).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}"]}""");
        }

        return builder.Append("]}}").ToString();
    }

    private sealed class CountingSink : IPrometheusSampleSink
    {
        public int Count { get; private set; }

        public void OnSample(int seriesIndex, ReadOnlySpan<byte> label, bool hasLabel, double timestamp, double value) => Count++;
    }
}
