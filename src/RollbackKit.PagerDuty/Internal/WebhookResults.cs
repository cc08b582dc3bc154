using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using RollbackKit.Dispatch;
using RollbackKit.Webhooks;

namespace RollbackKit.PagerDuty.Internal;

/// <summary>Builds webhook answers from dispatch results.</summary>
internal static class WebhookResults
{
    public static WebhookResponse Accepted(DispatchResult result)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("status", result.Status.ToString());
            if (result.RollbackId is not null)
            {
                w.WriteString("rollbackId", result.RollbackId);
            }

            if (result.Message is not null)
            {
                w.WriteString("message", result.Message);
            }

            w.WriteEndObject();
        }

        return new WebhookResponse(202, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}

[JsonSerializable(typeof(string))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
