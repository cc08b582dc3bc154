using System.Globalization;
using System.Text;
using System.Text.Json;
using RollbackKit.Prometheus.Internal;

namespace RollbackKit.Prometheus.Tests.Internal;

/// <summary>
/// The fast path for compact instant vectors must read exactly what the general parser reads, and must hand every
/// reply it is unsure of (other layouts, escapes, exponents, malformed bytes) to the general parser without emitting.
/// </summary>
public sealed class PrometheusCompactParserTests
{
    private static readonly byte[] s_label = "deployment"u8.ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(1000)]
    public void TryParseCompactVector_PrometheusLayout_ReadsSameAsGeneralParser(int series)
    {
        var json = Encoding.UTF8.GetBytes(PrometheusResponseParserTests.VectorJson(series));

        var fast = new RecordingSink();
        Assert.True(PrometheusResponseParser.TryParseCompactVector(json, s_label, fast, out var fastInfo));
        var general = new RecordingSink();
        var generalInfo = PrometheusResponseParser.ParseWithReader(json, s_label, general);

        AssertSame(generalInfo, general, fastInfo, fast);
        Assert.Equal(series, fast.Samples.Count);
    }

    [Theory]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"deployment":"a\u00e9"},"value":[1,"1"]}]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"deployment":"a\"b"},"value":[1,"1"]}]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1.7e9,"1"]}]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1, "1"]}]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[]},"warnings":["w"]}""")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1"],"metric":{}}]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"matrix","result":[]}}""")]
    public void TryParseCompactVector_OtherLayouts_LeftToGeneralParser(string json)
    {
        var sink = new RecordingSink();

        Assert.False(PrometheusResponseParser.TryParseCompactVector(Encoding.UTF8.GetBytes(json), s_label, sink, out _));
        Assert.Empty(sink.Samples);
        _ = PrometheusResponseParser.Parse(Encoding.UTF8.GetBytes(json), s_label, new RecordingSink());
    }

    [Theory]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[01,"1"]}]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}x""")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]},]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b",},"value":[1,"1"]}]}}""")]
    public void Parse_MalformedCompactReply_FastPathDeclinesAndParseThrows(string json)
    {
        var fast = new RecordingSink();

        Assert.False(PrometheusResponseParser.TryParseCompactVector(Encoding.UTF8.GetBytes(json), s_label, fast, out _));
        Assert.Empty(fast.Samples);
        var ex = Record.Exception(() => PrometheusResponseParser.Parse(Encoding.UTF8.GetBytes(json), s_label, new RecordingSink()));
        Assert.True(ex is JsonException or FormatException, ex?.GetType().Name ?? "no exception");
    }

    [Theory]
    [InlineData("""{"status":"success","data":{"resultType":["vector"],"result":[]}}""", "StartArray")]
    [InlineData("""{"status":"success","data":{"resultType":1,"result":[]}}""", "Number")]
    public void Parse_ResultTypeNotAString_ReportedAsUnknown(string json, string expected)
    {
        var info = PrometheusResponseParser.Parse(Encoding.UTF8.GetBytes(json), s_label, new RecordingSink());

        Assert.Equal(expected, info.UnknownResultType);
        Assert.Equal(PrometheusResultType.None, info.ResultType);
        Assert.True(info.HasResult);
    }

    [Fact]
    public void TryParseCompactVector_MutatedReplies_AcceptsOnlyWhatGeneralParserReadsTheSame()
    {
        var random = new Random(1234);
        byte[] alphabet = "{}[]\",:.-0123456789eE \\aN+"u8.ToArray();
        var accepted = 0;
        for (var round = 0; round < 4000; round++)
        {
            var json = Encoding.UTF8.GetBytes(Reply(random, random.Next(4)));
            var mutations = random.Next(3);
            for (var m = 0; m < mutations && json.Length > 0; m++)
            {
                var at = random.Next(json.Length);
                switch (random.Next(3))
                {
                    case 0:
                        json[at] = alphabet[random.Next(alphabet.Length)];
                        break;
                    case 1:
                        json = [.. json[..at], .. json[(at + 1)..]];
                        break;
                    default:
                        json = [.. json[..at], alphabet[random.Next(alphabet.Length)], .. json[at..]];
                        break;
                }
            }

            var fast = new RecordingSink();
            var fastOk = PrometheusResponseParser.TryParseCompactVector(json, s_label, fast, out var fastInfo);
            var general = new RecordingSink();
            PrometheusResponseInfo generalInfo;
            try
            {
                generalInfo = PrometheusResponseParser.ParseWithReader(json, s_label, general);
            }
#pragma warning disable CA1031 // Any rejection by the general parser counts: the fast path must not accept that reply.
            catch (Exception)
#pragma warning restore CA1031
            {
                Assert.False(fastOk, "accepted a reply the general parser rejects: " + Encoding.UTF8.GetString(json));
                Assert.Empty(fast.Samples);
                continue;
            }

            if (!fastOk)
            {
                Assert.Empty(fast.Samples);
                continue;
            }

            accepted++;
            AssertSame(generalInfo, general, fastInfo, fast);
        }

        Assert.True(accepted > 1000, $"only {accepted} replies took the fast path");
    }

    private static string Reply(Random random, int series)
    {
        var builder = new StringBuilder("""{"status":"success","data":{"resultType":"vector","result":[""");
        for (var i = 0; i < series; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append("""{"metric":{""");
            var labels = random.Next(4);
            for (var l = 0; l < labels; l++)
            {
                if (l > 0)
                {
                    builder.Append(',');
                }

                var name = random.Next(3) == 0 ? "deployment" : "pod";
                builder.Append(CultureInfo.InvariantCulture, $"\"{name}\":\"v{random.Next(100)}\"");
            }

            string[] values = ["0", "1.5", "NaN", "+Inf", "-Inf", "1e-05", "36.630010000000006", "-0", "12345678901234567"];
            var time = random.Next(3) switch
            {
                0 => "1732550400.123",
                1 => "1732550400",
                _ => "-1.5",
            };
            builder.Append(CultureInfo.InvariantCulture, $$"""},"value":[{{time}},"{{values[random.Next(values.Length)]}}"]}""");
        }

        return builder.Append("]}}").ToString();
    }

    private static void AssertSame(PrometheusResponseInfo expectedInfo, RecordingSink expected, PrometheusResponseInfo actualInfo, RecordingSink actual)
    {
        Assert.Equal(expectedInfo.IsSuccess, actualInfo.IsSuccess);
        Assert.Equal(expectedInfo.HasStatus, actualInfo.HasStatus);
        Assert.Equal(expectedInfo.HasData, actualInfo.HasData);
        Assert.Equal(expectedInfo.HasResult, actualInfo.HasResult);
        Assert.Equal(expectedInfo.ResultType, actualInfo.ResultType);
        Assert.Equal(expectedInfo.SeriesCount, actualInfo.SeriesCount);
        Assert.Equal(expectedInfo.HasHistograms, actualInfo.HasHistograms);
        Assert.Null(actualInfo.Warnings);
        Assert.Null(actualInfo.Error);
        Assert.Equal(expected.Samples, actual.Samples);
    }

    private sealed class RecordingSink : IPrometheusSampleSink
    {
        public List<(int Series, string? Label, long Timestamp, long Value)> Samples { get; } = [];

        public void OnSample(int seriesIndex, ReadOnlySpan<byte> label, bool hasLabel, double timestamp, double value) =>
            Samples.Add((seriesIndex, hasLabel ? Encoding.UTF8.GetString(label) : null, BitConverter.DoubleToInt64Bits(timestamp), BitConverter.DoubleToInt64Bits(value)));
    }
}
