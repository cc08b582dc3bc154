namespace RollbackKit.Kubernetes;

/// <summary>How RollbackKit talks to the Kubernetes API (section <c>RollbackKit:Kubernetes</c>).</summary>
public sealed class KubernetesOptions
{
    /// <summary>The configuration section name under <c>RollbackKit</c>.</summary>
    public const string SectionName = "Kubernetes";

    /// <summary>API server URL (for example <c>https://kubernetes.default.svc</c>). Default: unset, use the kubeconfig or in-cluster config.</summary>
    public Uri? Server { get; set; }

    /// <summary>
    /// Path of a kubeconfig file; a relative path is resolved against the host's content root (<c>IHostEnvironment.ContentRootPath</c>).
    /// Default: unset (in-cluster config when running in a pod, else <c>~/.kube/config</c>).
    /// </summary>
    public string? KubeconfigPath { get; set; }

    /// <summary>Kubeconfig context to use. Default: the current context.</summary>
    public string? Context { get; set; }

    /// <summary>Namespace used when neither the step settings nor the target's <c>namespace</c> label name one. Default: <c>default</c>.</summary>
    public string DefaultNamespace { get; set; } = "default";

    /// <summary>Time allowed for one API call. Default: 10 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of a call that failed with a 5xx, 429, a timeout or a network error. Default: 4.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>Delay before the first retry; doubles with jitter. Default: 200 milliseconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often a read-modify-write is redone after a 409 Conflict before failing. Default: 5.</summary>
    public int ConflictRetries { get; set; } = 5;
}

/// <summary>Options of the <c>coordination.k8s.io/v1</c> Lease lock (<c>AddKubernetesLeaseLock</c>).</summary>
public sealed class KubernetesLeaseLockOptions
{
    /// <summary>Namespace holding the leases. Default: <c>default</c>.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>Prefix of lease names; the sanitized target id follows. Default: <c>rollbackkit-</c>.</summary>
    public string LeaseNamePrefix { get; set; } = "rollbackkit-";

    /// <summary>This replica's identity written as <c>holderIdentity</c>. Default: machine name plus a random suffix.</summary>
    public string HolderIdentity { get; set; } = $"{Environment.MachineName}-{Guid.NewGuid():N}"[..Math.Min(63, Environment.MachineName.Length + 33)];

    /// <summary>How long a lease is valid without renewal (<c>leaseDurationSeconds</c>). Default: 15 seconds.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a held lease is renewed. Default: 5 seconds.</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Options of the Lease-based leader election (<c>AddKubernetesLeaderElection</c>).</summary>
public sealed class KubernetesLeaderElectionOptions
{
    /// <summary>Namespace holding the lease. Default: <c>default</c>.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>Lease name. Default: <c>rollbackkit-leader</c>.</summary>
    public string LeaseName { get; set; } = "rollbackkit-leader";

    /// <summary>This replica's identity. Default: machine name plus a random suffix.</summary>
    public string HolderIdentity { get; set; } = $"{Environment.MachineName}-{Guid.NewGuid():N}"[..Math.Min(63, Environment.MachineName.Length + 33)];

    /// <summary>How long leadership lasts without renewal. Default: 15 seconds.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the leader renews and followers retry. Default: 5 seconds.</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(5);
}
