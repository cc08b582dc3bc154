using System.Text.Json.Serialization;

namespace RollbackKit.Prometheus.Alertmanager;

/// <summary>The Alertmanager webhook payload (version 4).</summary>
internal sealed class AlertmanagerPayload
{
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    [JsonPropertyName("groupKey")]
    public string? GroupKey { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("receiver")]
    public string? Receiver { get; set; }

    [JsonPropertyName("alerts")]
    public List<AlertmanagerAlert>? Alerts { get; set; }
}

/// <summary>One alert of the payload.</summary>
internal sealed class AlertmanagerAlert
{
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }

    [JsonPropertyName("startsAt")]
    public string? StartsAt { get; set; }

    [JsonPropertyName("endsAt")]
    public string? EndsAt { get; set; }

    [JsonPropertyName("generatorURL")]
    public string? GeneratorUrl { get; set; }

    [JsonPropertyName("fingerprint")]
    public string? Fingerprint { get; set; }
}

[JsonSerializable(typeof(AlertmanagerPayload))]
[JsonSerializable(typeof(string))]
internal sealed partial class AlertmanagerJsonContext : JsonSerializerContext;
