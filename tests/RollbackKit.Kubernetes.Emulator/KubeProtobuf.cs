using System.Text;
using System.Text.Json.Nodes;

namespace RollbackKit.Kubernetes.Emulator;

/// <summary>
/// Decodes the Kubernetes protobuf envelope (<c>k8s\0</c> + runtime.Unknown) for the kinds clients send as protobuf
/// bodies in practice (helm's release Secrets, ConfigMaps, Namespaces): ObjectMeta plus their data fields.
/// </summary>
internal static class KubeProtobuf
{
    public static bool IsProtobuf(ReadOnlySpan<byte> body) => body.Length >= 4 && body[0] == (byte)'k' && body[1] == (byte)'8' && body[2] == (byte)'s' && body[3] == 0;

    public static JsonObject Decode(byte[] body)
    {
        string apiVersion = "", kind = "";
        byte[] raw = [];
        foreach (var (field, value) in Fields(body.AsMemory(4)))
        {
            switch (field)
            {
                case 1:
                    foreach (var (f, v) in Fields(value))
                    {
                        if (f == 1)
                        {
                            apiVersion = Str(v);
                        }
                        else if (f == 2)
                        {
                            kind = Str(v);
                        }
                    }

                    break;
                case 2:
                    raw = value.ToArray();
                    break;
            }
        }

        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        foreach (var (field, value) in Fields(raw))
        {
            if (field == 1)
            {
                obj["metadata"] = Meta(value);
                continue;
            }

            switch (kind, field)
            {
                case ("Secret", 2):
                    Map(obj, "data", value, bytesValue: true);
                    break;
                case ("Secret", 3):
                    obj["type"] = Str(value);
                    break;
                case ("Secret", 4):
                    Map(obj, "stringData", value, bytesValue: false);
                    break;
                case ("ConfigMap", 2):
                    Map(obj, "data", value, bytesValue: false);
                    break;
                case ("ConfigMap", 3):
                    Map(obj, "binaryData", value, bytesValue: true);
                    break;
                case ("Namespace", _):
                    break;
                case ("Secret" or "ConfigMap", _):
                    break;
                default:
                    throw new EmulatorApiException(415, "UnsupportedMediaType", $"the emulator decodes protobuf bodies only for Secret, ConfigMap and Namespace (got {kind}); send JSON");
            }
        }

        return obj;
    }

    private static JsonObject Meta(ReadOnlyMemory<byte> bytes)
    {
        var meta = new JsonObject();
        foreach (var (field, value) in Fields(bytes))
        {
            switch (field)
            {
                case 1: meta["name"] = Str(value); break;
                case 2: meta["generateName"] = Str(value); break;
                case 3: meta["namespace"] = Str(value); break;
                case 5: meta["uid"] = Str(value); break;
                case 6: meta["resourceVersion"] = Str(value); break;
                case 11: Map(meta, "labels", value, bytesValue: false); break;
                case 12: Map(meta, "annotations", value, bytesValue: false); break;
                case 14:
                    (meta["finalizers"] as JsonArray ?? (JsonArray)(meta["finalizers"] = new JsonArray())).Add(Str(value));
                    break;
            }
        }

        return meta;
    }

    private static void Map(JsonObject target, string name, ReadOnlyMemory<byte> entry, bool bytesValue)
    {
        var map = target[name] as JsonObject ?? (JsonObject)(target[name] = new JsonObject());
        string key = "";
        JsonNode? value = bytesValue ? "" : "";
        foreach (var (field, v) in Fields(entry))
        {
            if (field == 1)
            {
                key = Str(v);
            }
            else if (field == 2)
            {
                value = bytesValue ? Convert.ToBase64String(v.Span) : Str(v);
            }
        }

        map[key] = value;
    }

    private static string Str(ReadOnlyMemory<byte> v) => Encoding.UTF8.GetString(v.Span);

    /// <summary>Length-delimited fields of a message (varint and fixed fields are skipped; their value is empty).</summary>
    private static List<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> message)
    {
        var result = new List<(int, ReadOnlyMemory<byte>)>();
        var span = message.Span;
        var pos = 0;
        while (pos < span.Length)
        {
            var tag = Varint(span, ref pos);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    Varint(span, ref pos);
                    result.Add((field, ReadOnlyMemory<byte>.Empty));
                    break;
                case 1:
                    pos += 8;
                    break;
                case 2:
                    var length = (int)Varint(span, ref pos);
                    result.Add((field, message.Slice(pos, length)));
                    pos += length;
                    break;
                case 5:
                    pos += 4;
                    break;
                default:
                    throw new EmulatorApiException(400, "BadRequest", "malformed protobuf body");
            }
        }

        return result;
    }

    private static ulong Varint(ReadOnlySpan<byte> span, ref int pos)
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            var b = span[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }

            shift += 7;
        }
    }
}
