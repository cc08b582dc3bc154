using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;

namespace RollbackKit.Testing.Tests;

/// <summary>
/// <see cref="RollbackKitTestHost.FromConfiguration"/> on configurations that use adapters: the real Kubernetes and Helm
/// registrations check the step settings, then the steps are recorded; named sources become fakes of the same name.
/// </summary>
public sealed class FromConfigurationTests
{
    private static readonly string Helm3 = Environment.GetEnvironmentVariable("ROLLBACKKIT_HELM3")
        ?? Path.GetFullPath(Path.Combine(Repository.Root, ".tools", "helm3", "helm"));

    [Fact]
    public async Task AdapterSteps_ValidSettings_RecordedWithTheirSettings()
    {
        await using var host = RollbackKitTestHost.FromConfiguration(Configuration(), rk => rk.AddKubernetes().AddHelm());
        _ = RegressUntilUndone(host);

        await host.RunAsync(TimeSpan.FromMinutes(5));

        var rollback = Assert.Single(host.Rollbacks);
        Assert.True(rollback.State == RollbackState.RolledBack, Describe(host));
        Assert.Equal(["kubernetes.undo", "kubernetes.wait", "helm.rollback"], host.Steps.Select(s => s.Type));
        Assert.Equal("3", host.Steps[0].Settings["toRevision"]);
        Assert.Equal("checkout", host.Steps[2].Settings["release"]);
        Assert.All(host.Steps, s => Assert.Equal("shop/checkout", s.TargetId));
        Assert.Contains(host.Notifications, n => n.Kind == RollbackEventKind.Succeeded);
    }

    [Fact]
    public async Task NamedSource_BecomesTheOnlyFakeSource()
    {
        await using var host = RollbackKitTestHost.FromConfiguration(Configuration(), rk => rk.AddKubernetes().AddHelm());

        Assert.Equal(["prometheus"], host.Sources.Keys);
        Assert.Same(host.Sources["prometheus"], host.Source);
        Assert.Equal("prometheus", host.Source.Name);
    }

    [Theory]
    [InlineData("0", "markRollback", "maybe", "RollbackKit:Playbook:Steps:0:Settings:markRollback: 'maybe' is not true or false")]
    [InlineData("2", "release", "Not_A_Release", "RollbackKit:Playbook:Steps:2:Settings:release: 'Not_A_Release' is not a valid helm release name")]
    [InlineData("2", "colour", "blue", "RollbackKit:Playbook:Steps:2:Settings:colour: unknown setting for helm.rollback")]
    public void AdapterStep_InvalidSetting_FailsWithKeyPathFromTheAdaptersValidator(string step, string key, string value, string expected)
    {
        var configuration = Configuration(($"RollbackKit:Playbook:Steps:{step}:Settings:{key}", value));

        var ex = Assert.Throws<OptionsValidationException>(() => RollbackKitTestHost.FromConfiguration(configuration, rk => rk.AddKubernetes().AddHelm()));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AdapterStep_AdapterNotRegistered_FailsNamingTheUnknownType()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => RollbackKitTestHost.FromConfiguration(Configuration(), rk => rk.AddKubernetes()));

        Assert.Contains("RollbackKit:Playbook:Steps:2:Type: unknown step type 'helm.rollback'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondRegression_InsideTheCooldown_RefusedWithTheReason()
    {
        await using var host = RollbackKitTestHost.FromConfiguration(Configuration(), rk => rk.AddKubernetes().AddHelm());
        var regressed = RegressUntilUndone(host);
        await host.RunAsync(TimeSpan.FromMinutes(5));
        Assert.True(Assert.Single(host.Rollbacks).State == RollbackState.RolledBack, Describe(host));

        regressed.Value = true;
        await host.RunAsync(TimeSpan.FromMinutes(1));

        Assert.Single(host.Rollbacks);
        var refusal = host.Dispatcher.Refusals[0];
        Assert.Equal(DispatchStatus.Refused, refusal.Result.Status);
        Assert.Contains("cooldown", refusal.Result.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, host.Steps.Count); // the first rollback's steps only
    }

    private static string Describe(RollbackKitTestHost host) =>
        $"at +{host.Time.GetUtcNow() - host.Source.Start}: " + string.Join(" | ", host.Notifications.Select(n => $"{n.Timestamp - host.Source.Start} {n.Kind}: {n.Message}"));

    /// <summary>The error rate is high until the <c>kubernetes.undo</c> step runs.</summary>
    private static StrongBox<bool> RegressUntilUndone(RollbackKitTestHost host)
    {
        var regressed = new StrongBox<bool>(true);
        host.RespondToStep("kubernetes.undo", _ =>
        {
            regressed.Value = false;
            return StepResult.Success("undone");
        });
        host.Sources["prometheus"].Use("error_rate", (_, _) => regressed.Value ? 9 : 0);
        return regressed;
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] overrides)
    {
        var values = new Dictionary<string, string?>
        {
            ["RollbackKit:EvaluationInterval"] = "10s",
            ["RollbackKit:Targets:0:Id"] = "shop/checkout",
            ["RollbackKit:Targets:0:Labels:namespace"] = "shop",
            ["RollbackKit:Targets:0:Labels:name"] = "checkout",
            ["RollbackKit:Queries:0:Name"] = "error_rate",
            ["RollbackKit:Queries:0:Source"] = "prometheus",
            ["RollbackKit:Queries:0:Expression"] = "sum(rate(http_requests_total{app=\"{{name}}\",code=~\"5..\"}[1m]))",
            ["RollbackKit:Triggers:0:Name"] = "error-rate",
            ["RollbackKit:Triggers:0:Condition"] = "error_rate > 1",
            ["RollbackKit:Triggers:0:For"] = "30s",
            ["RollbackKit:Triggers:0:Severity"] = "Critical",
            ["RollbackKit:Playbook:Steps:0:Type"] = "kubernetes.undo",
            ["RollbackKit:Playbook:Steps:0:Settings:toRevision"] = "3",
            ["RollbackKit:Playbook:Steps:1:Type"] = "kubernetes.wait",
            ["RollbackKit:Playbook:Steps:2:Type"] = "helm.rollback",
            ["RollbackKit:Playbook:Steps:2:Settings:release"] = "checkout",
            ["RollbackKit:Playbook:Steps:2:Settings:namespace"] = "shop",
            ["RollbackKit:Workflow:Cooldown"] = "30m",
            ["RollbackKit:Kubernetes:Server"] = "https://127.0.0.1:6443",
            ["RollbackKit:Helm:HelmPath"] = Helm3,
        };
        foreach (var (key, value) in overrides)
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
