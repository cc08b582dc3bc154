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

    /// <summary>Takes the lease when absent, free or expired; renews it when already ours. Returns whether we hold it.</summary>
    public async Task<bool> TryAcquireAsync(string ns, string name, string identity, TimeSpan duration, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt <= api.Options.ConflictRetries; attempt++)
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
                try
                {
                    await api.CallAsync(Call("create", ns, name), (k, ct) => k.CoordinationV1.CreateNamespacedLeaseAsync(fresh, ns, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (KubernetesApiException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict)
                {
                    continue;
                }
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
            try
            {
                await api.CallAsync(Call("update", ns, name), (k, ct) => k.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (KubernetesApiException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict)
            {
                // Someone else wrote it first: re-read and decide again.
            }
        }

        return false;
    }

    /// <summary>Renews a lease we hold. Returns false when another holder has it (the lease is lost).</summary>
    public async Task<bool> RenewAsync(string ns, string name, string identity, TimeSpan duration, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt <= api.Options.ConflictRetries; attempt++)
        {
            var lease = await GetAsync(ns, name, cancellationToken).ConfigureAwait(false);
            if (lease?.Spec?.HolderIdentity != identity)
            {
                return false;
            }

            lease.Spec.RenewTime = time.GetUtcNow().UtcDateTime;
            lease.Spec.LeaseDurationSeconds = Seconds(duration);
            try
            {
                await api.CallAsync(Call("update", ns, name), (k, ct) => k.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (KubernetesApiException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict)
            {
                // Re-read.
            }
        }

        throw new KubernetesApiException(409, $"could not renew lease {ns}/{name}: too many conflicting updates", transient: true);
    }

    /// <summary>Clears the holder when we hold the lease, so others can take it at once.</summary>
    public async Task ReleaseAsync(string ns, string name, string identity, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt <= api.Options.ConflictRetries; attempt++)
        {
            var lease = await GetAsync(ns, name, cancellationToken).ConfigureAwait(false);
            if (lease?.Spec?.HolderIdentity != identity)
            {
                return;
            }

            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            try
            {
                await api.CallAsync(Call("update", ns, name), (k, ct) => k.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (KubernetesApiException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict)
            {
                // Re-read.
            }
        }
    }

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
