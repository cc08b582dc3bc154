using System.Text;
using System.Text.Json.Nodes;

namespace RollbackKit.Kubernetes.Emulator;

/// <summary>
/// Decodes the Kubernetes protobuf encoding (<c>application/vnd.kubernetes.protobuf</c>) of the core objects that
/// clients write with it: client-go's generated clientsets send Secrets and ConfigMaps as protobuf (helm stores its
/// releases in Secrets this way). The result is the JSON form of the object.
/// </summary>
public static class KubernetesProtobuf
{
    /// <summary>The media type.</summary>
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static readonly byte[] s_magic = "k8s\0"u8.ToArray();

    /// <summary>Whether the content type is the Kubernetes protobuf media type.</summary>
    public static bool IsProtobuf(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals(MediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The JSON text of a protobuf request body, for the request handler. A body this decoder cannot read is returned
    /// as the bare envelope prefix, which the handler rejects with 415 as for any protobuf body.
    /// </summary>
    public static string BodyAsJson(byte[] body)
    {
        try
        {
            return Decode(body).ToJsonString();
        }
        catch (EmulatorApiException)
        {
            return "k8s\0";
        }
    }

    /// <summary>Decodes an envelope (<c>k8s\0</c> + runtime.Unknown) holding a v1 Secret or ConfigMap into its JSON form.</summary>
    /// <exception cref="EmulatorApiException">415 for other kinds, 400 for malformed data.</exception>
    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(s_magic))
        {
            throw new EmulatorApiException(400, "BadRequest", "protobuf body without the k8s envelope prefix");
        }

        try
        {
            string apiVersion = "", kind = "";
            ReadOnlySpan<byte> raw = default;
            var unknown = new Reader(body[s_magic.Length..]);
            while (unknown.Next(out var field, out var wire))
            {
                switch (field)
                {
                    case 1:
                        var typeMeta = new Reader(unknown.Bytes());
                        while (typeMeta.Next(out var f, out var w))
                        {
                            if (f == 1) { apiVersion = typeMeta.String(); }
                            else if (f == 2) { kind = typeMeta.String(); }
                            else { typeMeta.Skip(w); }
                        }

                        break;
                    case 2:
                        raw = unknown.Bytes();
                        break;
                    default:
                        unknown.Skip(wire);
                        break;
                }
            }

            return (apiVersion, kind) switch
            {
                ("v1", "Secret") => DecodeSecret(raw),
                ("v1", "ConfigMap") => DecodeConfigMap(raw),
                _ => throw new EmulatorApiException(415, "UnsupportedMediaType", $"the emulator decodes protobuf only for v1 Secret and ConfigMap (got {apiVersion} {kind}); send JSON"),
            };
        }
        catch (IndexOutOfRangeException)
        {
            throw new EmulatorApiException(400, "BadRequest", "truncated protobuf body");
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new EmulatorApiException(400, "BadRequest", "truncated protobuf body");
        }
    }

    private static JsonObject DecodeSecret(ReadOnlySpan<byte> raw)
    {
        var secret = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret" };
        var reader = new Reader(raw);
        JsonObject? data = null, stringData = null;
        while (reader.Next(out var field, out var wire))
        {
            switch (field)
            {
                case 1: secret["metadata"] = DecodeObjectMeta(reader.Bytes()); break;
                case 2:
                {
                    var (key, value) = MapEntry(reader.Bytes());
                    (data ??= [])[Encoding.UTF8.GetString(key)] = Convert.ToBase64String(value);
                    break;
                }

                case 3: secret["type"] = reader.String(); break;
                case 4:
                {
                    var (key, value) = MapEntry(reader.Bytes());
                    (stringData ??= [])[Encoding.UTF8.GetString(key)] = Encoding.UTF8.GetString(value);
                    break;
                }

                case 5: secret["immutable"] = reader.Varint() != 0; break;
                default: reader.Skip(wire); break;
            }
        }

        if (data is not null)
        {
            secret["data"] = data;
        }

        if (stringData is not null)
        {
            secret["stringData"] = stringData;
        }

        return secret;
    }

    private static JsonObject DecodeConfigMap(ReadOnlySpan<byte> raw)
    {
        var configMap = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap" };
        var reader = new Reader(raw);
        JsonObject? data = null, binaryData = null;
        while (reader.Next(out var field, out var wire))
        {
            switch (field)
            {
                case 1: configMap["metadata"] = DecodeObjectMeta(reader.Bytes()); break;
                case 2:
                {
                    var (key, value) = MapEntry(reader.Bytes());
                    (data ??= [])[Encoding.UTF8.GetString(key)] = Encoding.UTF8.GetString(value);
                    break;
                }

                case 3:
                {
                    var (key, value) = MapEntry(reader.Bytes());
                    (binaryData ??= [])[Encoding.UTF8.GetString(key)] = Convert.ToBase64String(value);
                    break;
                }

                case 4: configMap["immutable"] = reader.Varint() != 0; break;
                default: reader.Skip(wire); break;
            }
        }

        if (data is not null)
        {
            configMap["data"] = data;
        }

        if (binaryData is not null)
        {
            configMap["binaryData"] = binaryData;
        }

        return configMap;
    }

    private static JsonObject DecodeObjectMeta(ReadOnlySpan<byte> raw)
    {
        var meta = new JsonObject();
        var reader = new Reader(raw);
        JsonObject? labels = null, annotations = null;
        JsonArray? finalizers = null;
        while (reader.Next(out var field, out var wire))
        {
            switch (field)
            {
                case 1: meta["name"] = reader.String(); break;
                case 2: meta["generateName"] = reader.String(); break;
                case 3: meta["namespace"] = reader.String(); break;
                case 5: meta["uid"] = reader.String(); break;
                case 6: meta["resourceVersion"] = reader.String(); break;
                case 7: meta["generation"] = reader.Varint(); break;
                case 11:
                {
                    var (key, value) = MapEntry(reader.Bytes());
                    (labels ??= [])[Encoding.UTF8.GetString(key)] = Encoding.UTF8.GetString(value);
                    break;
                }

                case 12:
                {
                    var (key, value) = MapEntry(reader.Bytes());
                    (annotations ??= [])[Encoding.UTF8.GetString(key)] = Encoding.UTF8.GetString(value);
                    break;
                }

                case 14: (finalizers ??= []).Add(reader.String()); break;
                default: reader.Skip(wire); break; // timestamps, owner references, managed fields: server-owned or unused here
            }
        }

        foreach (var key in meta.Where(p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0).Select(p => p.Key).ToList())
        {
            meta.Remove(key);
        }

        if (labels is not null)
        {
            meta["labels"] = labels;
        }

        if (annotations is not null)
        {
            meta["annotations"] = annotations;
        }

        if (finalizers is not null)
        {
            meta["finalizers"] = finalizers;
        }

        return meta;
    }

    private static (byte[] Key, byte[] Value) MapEntry(ReadOnlySpan<byte> entry)
    {
        byte[] key = [], value = [];
        var reader = new Reader(entry);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1) { key = reader.Bytes().ToArray(); }
            else if (field == 2) { value = reader.Bytes().ToArray(); }
            else { reader.Skip(wire); }
        }

        return (key, value);
    }

    /// <summary>A minimal protobuf wire-format reader.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public bool Next(out int field, out int wire)
        {
            if (_position >= _data.Length)
            {
                field = 0;
                wire = 0;
                return false;
            }

            var tag = Varint();
            field = (int)(tag >> 3);
            wire = (int)(tag & 7);
            return true;
        }

        public long Varint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = _data[_position++];
                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return (long)result;
                }
            }

            throw new EmulatorApiException(400, "BadRequest", "malformed protobuf varint");
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = checked((int)Varint());
            var slice = _data.Slice(_position, length);
            _position += length;
            return slice;
        }

        public string String() => Encoding.UTF8.GetString(Bytes());

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _position += 8; break;
                case 2: Bytes(); break;
                case 5: _position += 4; break;
                default: throw new EmulatorApiException(400, "BadRequest", $"unsupported protobuf wire type {wire}");
            }

            if (_position > _data.Length)
            {
                throw new EmulatorApiException(400, "BadRequest", "truncated protobuf body");
            }
        }
    }
}
