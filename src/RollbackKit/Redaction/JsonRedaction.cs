using System.Text.Json;
using System.Text.Json.Nodes;

namespace RollbackKit.Redaction;

/// <summary>Redacts every string value of a JSON document (property names and structure stay as they are).</summary>
internal static class JsonRedaction
{
    /// <summary>Serializes <paramref name="value"/> and redacts its string values.</summary>
    public static JsonNode? ToRedactedNode<T>(T value, SecretRedactor redactor, JsonSerializerOptions options)
    {
        var node = JsonSerializer.SerializeToNode(value, options);
        Redact(node, redactor);
        return node;
    }

    /// <summary>Returns a copy of <paramref name="value"/> whose string values are redacted.</summary>
    public static T Redact<T>(T value, SecretRedactor redactor, JsonSerializerOptions options) =>
        ToRedactedNode(value, redactor, options).Deserialize<T>(options)!;

    /// <summary>Serializes <paramref name="value"/> with its string values redacted.</summary>
    public static string Serialize<T>(T value, SecretRedactor redactor, JsonSerializerOptions options) =>
        ToRedactedNode(value, redactor, options)?.ToJsonString(options) ?? "null";

    private static void Redact(JsonNode? node, SecretRedactor redactor)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToArray())
                {
                    if (child is JsonValue leaf && leaf.TryGetValue<string>(out var text))
                    {
                        var redacted = redactor.Redact(text);
                        if (!ReferenceEquals(redacted, text))
                        {
                            obj[name] = redacted;
                        }
                    }
                    else
                    {
                        Redact(child, redactor);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue leaf && leaf.TryGetValue<string>(out var text))
                    {
                        var redacted = redactor.Redact(text);
                        if (!ReferenceEquals(redacted, text))
                        {
                            array[i] = redacted;
                        }
                    }
                    else
                    {
                        Redact(array[i], redactor);
                    }
                }

                break;
        }
    }
}
