namespace RollbackKit.Helm;

/// <summary>Settings shared by every Helm step, bound from the <c>RollbackKit:Helm</c> configuration section.</summary>
public sealed class HelmOptions
{
    /// <summary>The default configuration section: <c>RollbackKit:Helm</c>.</summary>
    public const string SectionName = "RollbackKit:Helm";

    /// <summary>Path of the helm binary (helm 3 or 4), or a bare name looked up on <c>PATH</c>. Default: <c>helm</c>.</summary>
    public string HelmPath { get; set; } = "helm";

    /// <summary>Kubeconfig file passed as <c>--kubeconfig</c>. Default: unset (helm's own lookup: <c>KUBECONFIG</c>, then <c>~/.kube/config</c>).</summary>
    public string? KubeConfig { get; set; }

    /// <summary>Kubeconfig context passed as <c>--kube-context</c>. Default: unset (the kubeconfig's current context).</summary>
    public string? KubeContext { get; set; }

    /// <summary>Writable directory under which helm's cache, config and data homes are placed (<c>HELM_CACHE_HOME</c>, …).
    /// Default: <c>rollbackkit-helm</c> under the system temp directory.</summary>
    public string? HomeDirectory { get; set; }

    /// <summary>Value of helm's <c>--timeout</c> for a rollback (how long helm waits for resources). Default: 5 minutes,
    /// capped at 90% of the step's <c>Timeout</c>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Time allowed for a read-only helm command (<c>version</c>, <c>status</c>, <c>history</c>) before its process tree is killed. Default: 60 seconds.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Extra time granted to a rollback process beyond its <c>--timeout</c> before its process tree is killed. Default: 30 seconds.</summary>
    public TimeSpan KillGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait strategy used with helm 4 when a step waits: <c>watcher</c> or <c>legacy</c> (helm 3 has a plain <c>--wait</c>). Default: <c>watcher</c>.</summary>
    public string WaitStrategy { get; set; } = "watcher";

    /// <summary>Maximum characters of stdout and of stderr kept per helm command (the rest is drained and dropped). Default: 1,000,000.</summary>
    public int MaxOutputChars { get; set; } = 1_000_000;
}
