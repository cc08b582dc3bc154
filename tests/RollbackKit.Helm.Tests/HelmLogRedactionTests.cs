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

        const string commandLine = "helm rollback web " + SecretLeaks.Text;
        const string status = "pending-upgrade " + SecretLeaks.Text;
        var cliLogger = provider.GetRequiredService<ILogger<HelmCli>>();
        var stepLogger = provider.GetRequiredService<ILogger<HelmRollbackStep>>();
        Log.HelmCommandTimedOut(cliLogger, commandLine, 300);
        Log.PendingRefused(stepLogger, "web", "shop", status);

        var logs = SecretLeaks.LogText(provider.GetFakeLogCollector());
        SecretLeaks.AssertAbsent(logs);
        Assert.Contains("helm rollback web kubectl --kube-token " + SecretRedactor.Mask, logs, StringComparison.Ordinal);
        Assert.Contains("is pending-upgrade kubectl --kube-token " + SecretRedactor.Mask, logs, StringComparison.Ordinal);
    }
}
