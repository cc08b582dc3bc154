using System.Diagnostics;
using RollbackKit.Telemetry;

namespace RollbackKit.Kubernetes.Internal;

/// <summary>The Kubernetes package's <see cref="ActivitySource"/> (named <c>RollbackKit</c> like every package's), span and tag names.</summary>
internal static class KubernetesTelemetry
{
    /// <summary>The span around one Kubernetes API call, retries included.</summary>
    public const string RequestSpanName = "rollbackkit.kubernetes.request";

    /// <summary>Span tag: the API verb (<c>get</c>, <c>patch</c>, <c>list</c>, …).</summary>
    public const string VerbTag = "k8s.verb";

    /// <summary>Span tag: the resource (<c>deployments</c>, <c>replicasets</c>, <c>leases</c>, …).</summary>
    public const string ResourceTag = "k8s.resource";

    /// <summary>Span tag: the API group (<c>core</c> for the core group).</summary>
    public const string GroupTag = "k8s.group";

    /// <summary>Span tag: the namespace, when the call is namespaced.</summary>
    public const string NamespaceTag = "k8s.namespace.name";

    /// <summary>Span tag: the object's name, when the call names one.</summary>
    public const string NameTag = "k8s.object.name";

    /// <summary>Span tag: the HTTP status of a failed call (0 when no response was received).</summary>
    public const string StatusCodeTag = "http.response.status_code";

    /// <summary>The source the package's spans start from.</summary>
    public static readonly ActivitySource ActivitySource = new(
        RollbackKitTelemetry.ActivitySourceName,
        typeof(KubernetesTelemetry).Assembly.GetName().Version?.ToString());
}
