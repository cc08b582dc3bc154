using System.Text.Json;
using System.Text.Json.Serialization;

namespace RollbackKit.Benchmarks.Prometheus;

/// <summary>
/// The baseline of the parsing benchmarks: a Prometheus reply (instant vector or matrix) as <see cref="JsonSerializer"/>
/// DTOs, labels as a dictionary and sample values kept as strings.
/// </summary>
internal static class PrometheusReplyDtos
{
    public static readonly JsonSerializerOptions Options = new() { Converters = { new SampleConverter() } };
}

internal sealed class ResponseDto
{
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("data")]
    public DataDto? Data { get; set; }
}

internal sealed class DataDto
{
    [JsonPropertyName("resultType")]
    public string? ResultType { get; set; }

    [JsonPropertyName("result")]
    public List<SeriesDto>? Result { get; set; }
}

internal sealed class SeriesDto
{
    [JsonPropertyName("metric")]
    public Dictionary<string, string>? Metric { get; set; }

    /// <summary>The sample of an instant vector.</summary>
    [JsonPropertyName("value")]
    public SampleDto? Value { get; set; }

    /// <summary>The samples of a matrix (range query).</summary>
    [JsonPropertyName("values")]
    public List<SampleDto>? Values { get; set; }
}

internal sealed class SampleDto
{
    public double Timestamp { get; set; }

    public string? Value { get; set; }
}

/// <summary>Reads <c>[ts, "value"]</c> into a <see cref="SampleDto"/> with the value kept as a string.</summary>
internal sealed class SampleConverter : JsonConverter<SampleDto>
{
    public override SampleDto Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        reader.Read();
        var timestamp = reader.GetDouble();
        reader.Read();
        var value = reader.GetString();
        reader.Read();
        return new SampleDto { Timestamp = timestamp, Value = value };
    }

    public override void Write(Utf8JsonWriter writer, SampleDto value, JsonSerializerOptions options) =>
        throw new NotSupportedException();
}
