using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Dispatch;
using RollbackKit.Kubernetes.Emulator;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Kubernetes.Steps;
using RollbackKit.Playbooks;

namespace RollbackKit.Kubernetes.Tests;

internal sealed class EvidenceCollector : IEvidenceSink
{
    public ConcurrentDictionary<string, string> Items { get; } = new(StringComparer.Ordinal);

    public void Add(string name, string content) => Items[name] = content;
}

internal static class TestSupport
{
    /// <summary>
    /// The Kubernetes adapter on the emulator with the per-target Lease lock held as <paramref name="identity"/> (leases of
    /// 15 s renewed every 5 s in <paramref name="lockNamespace"/>): what each replica or host of a multi-process test uses.
    /// </summary>
    public static IRollbackKitBuilder AddEmulatorLeaseLock(this IRollbackKitBuilder builder, KubernetesApiEmulator emulator, string identity, string lockNamespace = "rollbackkit") =>
        builder
            .AddKubernetes(o =>
            {
                o.Server = emulator.BaseAddress;
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
            })
            .AddKubernetesLeaseLock(o =>
            {
                o.Namespace = lockNamespace;
                o.HolderIdentity = identity;
                o.LeaseDuration = TimeSpan.FromSeconds(15);
                o.RenewInterval = TimeSpan.FromSeconds(5);
            });

    public static KubernetesOptions Options(KubernetesApiEmulator emulator) => new()
    {
        Server = emulator.BaseAddress,
        RequestTimeout = TimeSpan.FromSeconds(10),
        RetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetries = 3,
        ConflictRetries = 5,
    };

    public static KubernetesApi Api(KubernetesApiEmulator emulator, Action<KubernetesOptions>? configure = null, TimeProvider? time = null)
    {
        var options = Options(emulator);
        configure?.Invoke(options);
        return new KubernetesApi(options, time ?? TimeProvider.System, NullLogger<KubernetesApi>.Instance, null);
    }

    public static PlaybookStepContext Context(string ns, string name, EvidenceCollector? evidence = null, TimeProvider? time = null) =>
        new(
            "rb-1",
            new RollbackRequest
            {
                Target = new RollbackTarget($"{ns}/{name}", new Dictionary<string, string> { ["namespace"] = ns, ["name"] = name }),
                TriggerType = RollbackTriggerType.Manual,
                Reason = "test",
            },
            evidence ?? new EvidenceCollector(),
            new ServiceCollection().BuildServiceProvider(),
            time ?? TimeProvider.System);

    public static PlaybookStepDefinition Definition(string type, params (string Key, string Value)[] settings)
    {
        var d = new PlaybookStepDefinition { Type = type };
        foreach (var (k, v) in settings)
        {
            d.Settings[k] = v;
        }

        return d;
    }

    public static IPlaybookStep Step(KubernetesApi api, string type, params (string Key, string Value)[] settings)
    {
        var d = Definition(type, settings);
        return type switch
        {
            "kubernetes.undo" => new UndoStep(d, api),
            "kubernetes.wait" => new WaitStep(d, api),
            "kubernetes.scale" => new ScaleStep(d, api),
            "kubernetes.pause" => new PauseStep(d, api, pause: true),
            "kubernetes.resume" => new PauseStep(d, api, pause: false),
            "kubernetes.restart" => new RestartStep(d, api),
            "kubernetes.traffic" => new TrafficStep(d, api),
            "kubernetes.configmap.revert" => new ConfigMapRevertStep(d, api),
            "kubernetes.evidence" => new EvidenceStep(d, api),
            _ => throw new ArgumentException(type),
        };
    }

    /// <summary>Polls a condition with a bounded wait (for real processes and servers).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(5);
        }
    }
}
