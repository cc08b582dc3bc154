using System.Net;
using k8s;
using k8s.Models;
using RollbackKit.Kubernetes.Internal;

namespace RollbackKit.Kubernetes.Coordination;

/// <summary>Acquire / renew / release of a coordination.k8s.io/v1 Lease with optimistic concurrency.</summary>
internal sealed class LeaseClient(KubernetesApi api, TimeProvider time)
{
    public TimeProvider Time => time;

    public KubernetesApi Api => api;

    private static ApiCall Call(string verb, string ns, string name) => new(verb, "leases", "coordination.k8s.io", ns, name);

    public static bool IsExpired(V1Lease lease, DateTimeOffset now)
    {
        var spec = lease.Spec;
        if (spec is null || string.IsNullOrEmpty(spec.HolderIdentity))
        {
            return true;
        }

        var renewed = spec.RenewTime ?? spec.AcquireTime;
        if (renewed is null)
        {
            return true;
        }

        var renewedAt = new DateTimeOffset(DateTime.SpecifyKind(renewed.Value, DateTimeKind.Utc));
        return renewedAt + TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? 0) <= now;
    }

    /// <summary>
    /// Takes the lease when absent, free or expired; renews it when already ours. Returns whether we hold it: false as
    /// well when every attempt met a conflicting update (the conflict retry of <see cref="KubernetesApi.RetryOnConflictAsync{T}"/>).
    /// </summary>
    public async Task<bool> TryAcquireAsync(string ns, string name, string identity, TimeSpan duration, CancellationToken cancellationToken)
    {
        try
        {
            return await api.RetryOnConflictAsync(
                $"acquiring lease {ns}/{name}", ct => TryAcquireOnceAsync(ns, name, identity, duration, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    /// <summary>One read-decide-write of <see cref="TryAcquireAsync"/>; a 409 means someone else wrote first.</summary>
    private async Task<bool> TryAcquireOnceAsync(string ns, string name, string identity, TimeSpan duration, CancellationToken cancellationToken)
    {
        var lease = await GetAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        if (lease is null)
        {
            var fresh = new V1Lease
            {
                ApiVersion = "coordination.k8s.io/v1",
                Kind = "Lease",
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "rollbackkit" } },
                Spec = new V1LeaseSpec
                {
                    HolderIdentity = identity,
                    LeaseDurationSeconds = Seconds(duration),
                    AcquireTime = now,
                    RenewTime = now,
                    LeaseTransitions = 0,
                },
            };
            await api.CallAsync(Call("create", ns, name), (k, ct) => k.CoordinationV1.CreateNamespacedLeaseAsync(fresh, ns, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
            return true;
        }

        var ours = lease.Spec?.HolderIdentity == identity;
        if (!ours && !IsExpired(lease, time.GetUtcNow()))
        {
            return false;
        }

        lease.Spec ??= new V1LeaseSpec();
        if (!ours)
        {
            lease.Spec.HolderIdentity = identity;
            lease.Spec.AcquireTime = now;
            lease.Spec.LeaseTransitions = (lease.Spec.LeaseTransitions ?? 0) + 1;
        }

        lease.Spec.RenewTime = now;
        lease.Spec.LeaseDurationSeconds = Seconds(duration);
        await UpdateAsync(ns, name, lease, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Renews a lease we hold. Returns false when another holder has it (the lease is lost); throws a 409
    /// <see cref="KubernetesApiException"/> when every attempt met a conflicting update.
    /// </summary>
    public Task<bool> RenewAsync(string ns, string name, string identity, TimeSpan duration, CancellationToken cancellationToken) =>
        api.RetryOnConflictAsync($"renewing lease {ns}/{name}", async ct =>
        {
            var lease = await GetAsync(ns, name, ct).ConfigureAwait(false);
            if (lease?.Spec?.HolderIdentity != identity)
            {
                return false;
            }

            lease.Spec.RenewTime = time.GetUtcNow().UtcDateTime;
            lease.Spec.LeaseDurationSeconds = Seconds(duration);
            await UpdateAsync(ns, name, lease, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Clears the holder when we hold the lease, so others can take it at once; gives up quietly on repeated conflicts.</summary>
    public async Task ReleaseAsync(string ns, string name, string identity, CancellationToken cancellationToken)
    {
        try
        {
            await api.RetryOnConflictAsync($"releasing lease {ns}/{name}", async ct =>
            {
                var lease = await GetAsync(ns, name, ct).ConfigureAwait(false);
                if (lease?.Spec?.HolderIdentity != identity)
                {
                    return false;
                }

                lease.Spec.HolderIdentity = null;
                lease.Spec.LeaseDurationSeconds = 1;
                await UpdateAsync(ns, name, lease, ct).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict)
        {
            // Someone else keeps writing it: it expires on its own.
        }
    }

    private Task<V1Lease> UpdateAsync(string ns, string name, V1Lease lease, CancellationToken cancellationToken) =>
        api.CallAsync(Call("update", ns, name), (k, ct) => k.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: ct), cancellationToken);

    public async Task<V1Lease?> GetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await api.CallAsync(Call("get", ns, name), (k, ct) => k.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException ex) when (ex.StatusCode == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static int Seconds(TimeSpan duration) => Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds));

    /// <summary>A valid lease name (DNS subdomain) for a target id: lowercase, [a-z0-9.-], hash suffix when changed or long.</summary>
    public static string LeaseName(string prefix, string targetId)
    {
        var chars = targetId.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-').ToArray();
        var sanitized = new string(chars).Trim('-', '.');
        var name = prefix + sanitized;
        if (sanitized != targetId || name.Length > 63)
        {
            var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(targetId));
            var suffix = Convert.ToHexStringLower(hash)[..8];
            var room = 63 - suffix.Length - 1;
            name = (name.Length > room ? name[..room] : name).TrimEnd('-', '.') + "-" + suffix;
        }

        return name;
    }
}
