using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace RollbackKit.Prometheus.Internal;

/// <summary>The <c>resultType</c> of a Prometheus query response.</summary>
internal enum PrometheusResultType : byte
{
    None = 0,
    Vector = 1,
    Scalar = 2,
    Matrix = 3,
    String = 4,
}

/// <summary>Receives the samples of a response as they are parsed.</summary>
internal interface IPrometheusSampleSink
{
    /// <summary>One sample.</summary>
    /// <param name="seriesIndex">Index of the series in the result (0 for a scalar).</param>
    /// <param name="label">UTF-8 value of the matched label (empty when the series has no such label).</param>
    /// <param name="hasLabel">Whether the series had the matched label.</param>
    /// <param name="timestamp">Sample time, Unix seconds.</param>
    /// <param name="value">Sample value.</param>
    void OnSample(int seriesIndex, ReadOnlySpan<byte> label, bool hasLabel, double timestamp, double value);
}

/// <summary>The envelope of a parsed response (everything but the samples, which went to the sink).</summary>
internal struct PrometheusResponseInfo
{
    public bool IsSuccess;
    public bool HasStatus;
    public PrometheusResultType ResultType;
    public int SeriesCount;
    public string? ErrorType;
    public string? Error;
    public List<string>? Warnings;

    /// <summary>Whether the reply had a <c>data</c> object.</summary>
    public bool HasData;

    /// <summary>Whether <c>data</c> had a <c>result</c>.</summary>
    public bool HasResult;

    /// <summary>A <c>resultType</c> this parser does not know, or <see langword="null"/>.</summary>
    public string? UnknownResultType;

    /// <summary>Whether a series carried native histogram samples (<c>histogram</c>/<c>histograms</c>), which have no float value.</summary>
    public bool HasHistograms;
}

/// <summary>
/// Parses Prometheus HTTP API responses straight from UTF-8 with <see cref="Utf8JsonReader"/>: no DOM, no string per
/// sample; only the value of one label (the one results are matched on) is copied, into a reused scratch buffer.
/// </summary>
internal static partial class PrometheusResponseParser
{
    /// <summary>Parses <paramref name="json"/>. Throws <see cref="JsonException"/> or <see cref="FormatException"/> when malformed.</summary>
    /// <remarks>
    /// A successful instant vector in Prometheus' own compact layout (the usual reply) is read by a direct byte scan;
    /// anything else, and anything that scan is unsure of, goes to the general <see cref="Utf8JsonReader"/> parser.
    /// </remarks>
    public static PrometheusResponseInfo Parse<TSink>(ReadOnlySpan<byte> json, ReadOnlySpan<byte> matchLabel, TSink sink)
        where TSink : IPrometheusSampleSink
        => TryParseCompactVector(json, matchLabel, sink, out var info) ? info : ParseWithReader(json, matchLabel, sink);

    /// <summary>The general parser: any valid reply, any field order and formatting. Throws when malformed.</summary>
    internal static PrometheusResponseInfo ParseWithReader<TSink>(ReadOnlySpan<byte> json, ReadOnlySpan<byte> matchLabel, TSink sink)
        where TSink : IPrometheusSampleSink
    {
        var info = default(PrometheusResponseInfo);
        var scratch = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            Next(ref reader);
            Expect(ref reader, JsonTokenType.StartObject);
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                if (reader.ValueTextEquals("status"u8))
                {
                    Next(ref reader);
                    info.HasStatus = true;
                    info.IsSuccess = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("success"u8);
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    Next(ref reader);
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        info.HasData = true;
                        ParseData(ref reader, matchLabel, sink, ref info, ref scratch);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("errorType"u8))
                {
                    Next(ref reader);
                    info.ErrorType = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    Next(ref reader);
                    info.Error = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("warnings"u8))
                {
                    Next(ref reader);
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        while (Next(ref reader) != JsonTokenType.EndArray)
                        {
                            if (reader.TokenType == JsonTokenType.String)
                            {
                                (info.Warnings ??= []).Add(reader.GetString()!);
                            }
                            else
                            {
                                reader.Skip();
                            }
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            if (!info.HasStatus)
            {
                throw new JsonException("the response has no \"status\" field");
            }

            RejectTrailingBytes(ref reader);

            return info;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static void ParseData<TSink>(ref Utf8JsonReader reader, ReadOnlySpan<byte> matchLabel, TSink sink, ref PrometheusResponseInfo info, ref byte[] scratch)
        where TSink : IPrometheusSampleSink
    {
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("resultType"u8))
            {
                Next(ref reader);
                var isString = reader.TokenType == JsonTokenType.String;
                var type = !isString ? PrometheusResultType.None
                    : reader.ValueTextEquals("vector"u8) ? PrometheusResultType.Vector
                    : reader.ValueTextEquals("scalar"u8) ? PrometheusResultType.Scalar
                    : reader.ValueTextEquals("matrix"u8) ? PrometheusResultType.Matrix
                    : reader.ValueTextEquals("string"u8) ? PrometheusResultType.String
                    : PrometheusResultType.None;
                if (type == PrometheusResultType.None)
                {
                    info.UnknownResultType = isString ? reader.GetString() : reader.TokenType.ToString();
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        reader.Skip();
                    }
                }

                if (info.ResultType == PrometheusResultType.None || type != PrometheusResultType.None)
                {
                    info.ResultType = type;
                }
            }
            else if (reader.ValueTextEquals("result"u8))
            {
                Next(ref reader);
                info.HasResult = true;
                ParseResult(ref reader, matchLabel, sink, ref info, ref scratch);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ParseResult<TSink>(ref Utf8JsonReader reader, ReadOnlySpan<byte> matchLabel, TSink sink, ref PrometheusResponseInfo info, ref byte[] scratch)
        where TSink : IPrometheusSampleSink
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        Expect(ref reader, JsonTokenType.StartArray);
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            return;
        }

        if (reader.TokenType == JsonTokenType.Number)
        {
            // Scalar or string: [ <unix time>, "<value>" ].
            var timestamp = reader.GetDouble();
            Next(ref reader);
            Expect(ref reader, JsonTokenType.String);
            info.SeriesCount = 1;
            if (info.ResultType == PrometheusResultType.String)
            {
                Next(ref reader);
                Expect(ref reader, JsonTokenType.EndArray);
                return;
            }

            if (!TryParseValue(reader.ValueSpan, out var value))
            {
                if (info.ResultType == PrometheusResultType.None)
                {
                    info.ResultType = PrometheusResultType.String;
                    Next(ref reader);
                    Expect(ref reader, JsonTokenType.EndArray);
                    return;
                }

                throw new FormatException("a sample value is not a number");
            }

            if (info.ResultType == PrometheusResultType.None)
            {
                info.ResultType = PrometheusResultType.Scalar;
            }

            sink.OnSample(0, default, false, timestamp, value);
            Next(ref reader);
            Expect(ref reader, JsonTokenType.EndArray);
            return;
        }

        var seriesIndex = 0;
        while (reader.TokenType == JsonTokenType.StartObject)
        {
            ParseSeries(ref reader, matchLabel, sink, seriesIndex, ref info, ref scratch);
            seriesIndex++;
            Next(ref reader);
        }

        Expect(ref reader, JsonTokenType.EndArray);
        info.SeriesCount = seriesIndex;
    }

    private static void ParseSeries<TSink>(ref Utf8JsonReader reader, ReadOnlySpan<byte> matchLabel, TSink sink, int seriesIndex, ref PrometheusResponseInfo info, ref byte[] scratch)
        where TSink : IPrometheusSampleSink
    {
        var labelLength = -1;
        var metricSeen = false;
        var hasValue = false;
        double timestamp = 0, value = 0;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("metric"u8))
            {
                Next(ref reader);
                if (matchLabel.IsEmpty)
                {
                    Expect(ref reader, JsonTokenType.StartObject);
                    reader.Skip();
                }
                else
                {
                    labelLength = ReadMatchLabel(ref reader, matchLabel, ref scratch);
                }

                metricSeen = true;
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                Next(ref reader);
                ReadPair(ref reader, out timestamp, out value);
                hasValue = true;
                if (info.ResultType == PrometheusResultType.None)
                {
                    info.ResultType = PrometheusResultType.Vector;
                }
            }
            else if (reader.ValueTextEquals("values"u8))
            {
                if (info.ResultType == PrometheusResultType.None)
                {
                    info.ResultType = PrometheusResultType.Matrix;
                }

                if (!metricSeen && !matchLabel.IsEmpty)
                {
                    // The label comes after the samples: look ahead with a copy of the reader.
                    var ahead = reader;
                    ahead.Skip();
                    while (Next(ref ahead) != JsonTokenType.EndObject)
                    {
                        if (ahead.ValueTextEquals("metric"u8))
                        {
                            Next(ref ahead);
                            labelLength = ReadMatchLabel(ref ahead, matchLabel, ref scratch);
                            break;
                        }

                        ahead.Skip();
                    }
                }

                Next(ref reader);
                Expect(ref reader, JsonTokenType.StartArray);
                while (Next(ref reader) != JsonTokenType.EndArray)
                {
                    ReadPair(ref reader, out var ts, out var v);
                    sink.OnSample(seriesIndex, labelLength > 0 ? scratch.AsSpan(0, labelLength) : default, labelLength >= 0, ts, v);
                }

                if (!metricSeen)
                {
                    metricSeen = true;
                }
            }
            else
            {
                // Native histograms ("histogram"/"histograms") carry no float sample: noted, so the reply is refused
                // rather than read as no data. Unknown fields are skipped.
                info.HasHistograms |= reader.ValueTextEquals("histogram"u8) || reader.ValueTextEquals("histograms"u8);
                reader.Skip();
            }
        }

        if (hasValue)
        {
            sink.OnSample(seriesIndex, labelLength > 0 ? scratch.AsSpan(0, labelLength) : default, labelLength >= 0, timestamp, value);
        }
    }

    /// <summary>Reads a <c>metric</c> object; copies the value of <paramref name="matchLabel"/> into scratch. Returns its length, or -1 when absent.</summary>
    private static int ReadMatchLabel(ref Utf8JsonReader reader, ReadOnlySpan<byte> matchLabel, ref byte[] scratch)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var length = -1;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            if (reader.ValueIsEscaped ? reader.ValueTextEquals(matchLabel) : reader.ValueSpan.SequenceEqual(matchLabel))
            {
                Next(ref reader);
                Expect(ref reader, JsonTokenType.String);
                var raw = reader.ValueSpan;
                if (raw.Length > scratch.Length)
                {
                    ArrayPool<byte>.Shared.Return(scratch);
                    scratch = ArrayPool<byte>.Shared.Rent(raw.Length);
                }

                length = reader.ValueIsEscaped ? reader.CopyString(scratch) : CopyRaw(raw, scratch);
            }
            else if (Next(ref reader) is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }

        return length;
    }

    private static int CopyRaw(ReadOnlySpan<byte> raw, byte[] scratch)
    {
        raw.CopyTo(scratch);
        return raw.Length;
    }

    private static void ReadPair(ref Utf8JsonReader reader, out double timestamp, out double value)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        Next(ref reader);
        Expect(ref reader, JsonTokenType.Number);
        if (!TryParseShortDecimal(reader.ValueSpan, out timestamp))
        {
            timestamp = reader.GetDouble(); // exponent forms and long mantissas
        }
        Next(ref reader);
        Expect(ref reader, JsonTokenType.String);
        if (!TryParseValue(reader.ValueSpan, out value))
        {
            throw new FormatException("a sample value is not a number");
        }

        Next(ref reader);
        Expect(ref reader, JsonTokenType.EndArray);
    }

    /// <summary>Only whitespace may follow the reply's JSON value.</summary>
    private static void RejectTrailingBytes(ref Utf8JsonReader reader)
    {
        bool more;
        try
        {
            more = reader.Read();
        }
        catch (JsonException)
        {
            more = true;
        }

        if (more)
        {
            throw new JsonException(string.Create(CultureInfo.InvariantCulture, $"the response has bytes after the JSON value (at byte {reader.BytesConsumed})"));
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("the response ended early");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (reader.TokenType != expected)
        {
            throw new JsonException(string.Create(CultureInfo.InvariantCulture, $"expected {expected} but found {reader.TokenType} at byte {reader.TokenStartIndex}"));
        }
    }
}
