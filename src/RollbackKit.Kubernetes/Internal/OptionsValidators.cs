using Microsoft.Extensions.Options;

namespace RollbackKit.Kubernetes.Internal;

/// <summary>
/// Validates <see cref="KubernetesOptions"/> at start; messages start with <paramref name="keyPath"/>. A configured
/// <c>KubeconfigPath</c> must exist. (Whether any kubeconfig is found is checked by the Kubernetes step factories, at start
/// too, only when Kubernetes steps are configured: see <see cref="KubeconfigCheck"/>.)
/// </summary>
/// <param name="keyPath">The key path the options bind from, for example <c>RollbackKit:Kubernetes</c>.</param>
internal sealed class KubernetesOptionsValidator(string keyPath) : IValidateOptions<KubernetesOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.KubeconfigPath is { } path)
        {
            if (!File.Exists(path))
            {
                errors.Add($"{keyPath}:KubeconfigPath: no kubeconfig file at '{path}'.");
            }
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{keyPath}:RequestTimeout must be positive");
        }

        if (options.MaxRetries < 0)
        {
            errors.Add($"{keyPath}:MaxRetries must be >= 0");
        }

        if (options.ConflictRetries < 0)
        {
            errors.Add($"{keyPath}:ConflictRetries must be >= 0");
        }

        if (options.RetryDelay < TimeSpan.Zero)
        {
            errors.Add($"{keyPath}:RetryDelay must be >= 0");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Validates <see cref="KubernetesLeaseLockOptions"/> at start; messages start with <paramref name="keyPath"/>.</summary>
/// <param name="keyPath">The key path the options bind from, for example <c>RollbackKit:Kubernetes:LeaseLock</c>.</param>
internal sealed class KubernetesLeaseLockOptionsValidator(string keyPath) : IValidateOptions<KubernetesLeaseLockOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesLeaseLockOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!(options.LeaseDuration > options.RenewInterval && options.RenewInterval > TimeSpan.Zero))
        {
            errors.Add($"{keyPath}: LeaseDuration must be greater than RenewInterval (> 0)");
        }

        if (string.IsNullOrWhiteSpace(options.HolderIdentity))
        {
            errors.Add($"{keyPath}:HolderIdentity is required");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Validates <see cref="KubernetesLeaderElectionOptions"/> at start; messages start with <paramref name="keyPath"/>.</summary>
/// <param name="keyPath">The key path the options bind from, for example <c>RollbackKit:Kubernetes:LeaderElection</c>.</param>
internal sealed class KubernetesLeaderElectionOptionsValidator(string keyPath) : IValidateOptions<KubernetesLeaderElectionOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesLeaderElectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.LeaseDuration > options.RetryPeriod && options.RetryPeriod > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{keyPath}: LeaseDuration must be greater than RetryPeriod (> 0)");
    }
}

/// <summary>Whether the API server can be found at all: <c>Server</c>, <c>KubeconfigPath</c>, in-cluster config or a default kubeconfig.</summary>
internal static class KubeconfigCheck
{
    private const string Key = RollbackKitOptions.SectionName + ":" + KubernetesOptions.SectionName;

    /// <summary>The problem, or <see langword="null"/> when a way to reach the cluster is configured.</summary>
    public static string? Problem(KubernetesOptions options, Func<string?>? findDefaultKubeconfig = null)
    {
        if (options.Server is not null)
        {
            return null;
        }

        if (options.KubeconfigPath is { } path)
        {
            return File.Exists(path) ? null : $"{Key}:KubeconfigPath: no kubeconfig file at '{path}'.";
        }

        return k8s.KubernetesClientConfiguration.IsInCluster() || (findDefaultKubeconfig ?? DefaultKubeconfig)() is not null
            ? null
            : $"{Key}:KubeconfigPath: no kubeconfig found (KUBECONFIG is unset or names no file, ~/.kube/config does not exist, not running in a pod); set KubeconfigPath or Server.";
    }

    private static string? DefaultKubeconfig()
    {
        var variable = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrWhiteSpace(variable))
        {
            return Array.Find(variable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries), File.Exists);
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var file = Path.Combine(home, ".kube", "config");
        return File.Exists(file) ? file : null;
    }
}
