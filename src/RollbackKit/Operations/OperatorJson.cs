using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using RollbackKit.Journal;

namespace RollbackKit.Operations;

/// <summary>
/// The wire format of the management API and the command-line tool, one definition for both: System.Text.Json source
/// generation, camelCase names, enums as strings, <c>NaN</c> allowed, <see langword="null"/> values left out.
/// </summary>
/// <example><code>var status = JsonSerializer.Deserialize&lt;OperatorStatus&gt;(json, OperatorJson.Options);</code></example>
public static class OperatorJson
{
    /// <summary>The source-generated context for every operator type, audit records and statistics.</summary>
    public static JsonSerializerContext Context => OperatorJsonContext.Default;

    /// <summary>Read-only serializer options backed by <see cref="Context"/>.</summary>
    public static JsonSerializerOptions Options => OperatorJsonContext.Default.Options;

    /// <summary>The generated metadata for <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">One of the operator types, <see cref="RollbackAuditRecord"/>, a list of them, or <see cref="RollbackStatistics"/>.</typeparam>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not part of the wire format.</exception>
    public static JsonTypeInfo<T> TypeInfo<T>() =>
        OperatorJsonContext.Default.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
        ?? throw new NotSupportedException($"{typeof(T).Name} is not part of the operator wire format.");
}

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(OperatorStatus))]
[JsonSerializable(typeof(AutoRollbackState))]
[JsonSerializable(typeof(TargetStatusView))]
[JsonSerializable(typeof(TriggerStatusView))]
[JsonSerializable(typeof(ActiveRollbackView))]
[JsonSerializable(typeof(ManualRollbackRequest))]
[JsonSerializable(typeof(ManualRollbackResponse))]
[JsonSerializable(typeof(AutoRollbackChange))]
[JsonSerializable(typeof(ApprovalAction))]
[JsonSerializable(typeof(AttemptsResetRequest))]
[JsonSerializable(typeof(AttemptsResetResponse))]
[JsonSerializable(typeof(RollbackAuditRecord))]
[JsonSerializable(typeof(IReadOnlyList<RollbackAuditRecord>))]
[JsonSerializable(typeof(RollbackAuditRecord[]))]
[JsonSerializable(typeof(RollbackStatistics))]
internal sealed partial class OperatorJsonContext : JsonSerializerContext
{
}
