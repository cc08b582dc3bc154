using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.AspNetCore.Internal;
using RollbackKit.Redaction;

namespace RollbackKit.AspNetCore.Tests;

/// <summary>The webhook adapters' log lines (rejection reasons, malformed bodies) go through the one redactor.</summary>
public sealed class WebhookLogRedactionTests
{
    [Fact]
    public void WebhookLoggers_SecretsInAReason_LoggedMasked()
    {
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddRollbackKit().AddPolicyBreachWebhook(o => o.Secret = SecretLeaks.Configured);
        using var provider = services.BuildServiceProvider();

        Log.WebhookRejected(provider.GetRequiredService<ILogger<PolicyBreachWebhookHandler>>(), "policy-breach", "signature over " + SecretLeaks.Text);
        Log.WebhookMalformed(provider.GetRequiredService<ILogger<WebhookEndpoint>>(), "policy-breach", "body " + SecretLeaks.Text);

        var logs = SecretLeaks.LogText(provider.GetFakeLogCollector());
        SecretLeaks.AssertAbsent(logs);
        Assert.Contains("signature over kubectl --kube-token " + SecretRedactor.Mask, logs, StringComparison.Ordinal);
        Assert.Contains("body kubectl --kube-token " + SecretRedactor.Mask, logs, StringComparison.Ordinal);
    }
}
