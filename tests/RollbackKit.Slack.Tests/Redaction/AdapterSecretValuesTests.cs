using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.PagerDuty;
using RollbackKit.Prometheus;
using RollbackKit.Redaction;

namespace RollbackKit.Slack.Tests.Redaction;

/// <summary>Every adapter that holds a secret contributes it to the one redactor of the core.</summary>
public sealed class AdapterSecretValuesTests
{
    [Fact]
    public void Redactor_ConfiguredAdapterSecrets_AllMasked()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddRollbackKit()
            .AddSlack(o =>
            {
                o.BotToken = "xoxb-slack-bot-token-1";
                o.Channel = "#ops";
                o.SigningSecret = "slack-signing-secret-2";
            })
            .AddPagerDuty(o =>
            {
                o.RoutingKey = "pd-routing-key-3";
                o.WebhookSecrets = ["pd-webhook-secret-4", "pd-webhook-secret-5"];
            })
            .AddPrometheus(o =>
            {
                o.BaseAddress = new Uri("http://127.0.0.1:9090/");
                o.BearerToken = "prom-bearer-token-6";
                o.Headers["X-Scope-OrgID"] = "tenant-header-secret-7";
            })
            .AddAlertmanagerSignals(o =>
            {
                o.BearerToken = "alertmanager-token-8";
                o.Username = "alertmanager";
                o.Password = "alertmanager-password-10";
            })
            .AddPolicyBreachWebhook(o => o.Secret = "policy-breach-secret-9");
        using var provider = services.BuildServiceProvider();

        var redactor = provider.GetRequiredService<SecretRedactor>();

        string[] secrets =
        [
            "xoxb-slack-bot-token-1", "slack-signing-secret-2", "pd-routing-key-3", "pd-webhook-secret-4", "pd-webhook-secret-5",
            "prom-bearer-token-6", "tenant-header-secret-7", "alertmanager-token-8", "policy-breach-secret-9", "alertmanager-password-10",
        ];
        foreach (var secret in secrets)
        {
            Assert.Equal("value (***) seen", redactor.Redact($"value ({secret}) seen"));
        }
    }

    [Fact]
    public void Redactor_SlackWebhookUrl_Masked()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddRollbackKit().AddSlack(o => o.WebhookUrl = new Uri("https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"));
        using var provider = services.BuildServiceProvider();

        var redactor = provider.GetRequiredService<SecretRedactor>();

        Assert.Equal("posting to *** failed", redactor.Redact("posting to https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX failed"));
        Assert.Equal("path *** refused", redactor.Redact("path /services/T000/B000/XXXXsecretXXXX refused"));
    }
}
