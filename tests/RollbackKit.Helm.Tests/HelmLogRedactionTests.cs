using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.Helm.Internal;
using RollbackKit.Redaction;

namespace RollbackKit.Helm.Tests;

/// <summary>The Helm adapter's log lines (command lines, release states) go through the one redactor, configured values included.</summary>
public sealed class HelmLogRedactionTests
{
    [Fact]
    public void HelmLoggers_SecretsInACommandLine_LoggedMasked()
    {
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddSingleton(SecretLeaks.Source);
        services.AddRollbackKit().AddHelm();
        using var provider = services.BuildServiceProvider();

        Log.HelmCommandStarting(provider.GetRequiredService<ILogger<HelmCli>>(), "helm rollback web " + SecretLeaks.Text);
        Log.PendingRefused(provider.GetRequiredService<ILogger<HelmRollbackStep>>(), "web", "shop", "pending-upgrade " + SecretLeaks.Text);

        var logs = SecretLeaks.LogText(provider.GetFakeLogCollector());
        SecretLeaks.AssertAbsent(logs);
        Assert.Contains("helm rollback web kubectl --kube-token " + SecretRedactor.Mask, logs, StringComparison.Ordinal);
        Assert.Contains("is pending-upgrade kubectl --kube-token " + SecretRedactor.Mask, logs, StringComparison.Ordinal);
    }
}
