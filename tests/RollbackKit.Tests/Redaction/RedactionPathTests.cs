using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Redaction;
using RollbackKit.Tests.Workflow;

namespace RollbackKit.Tests.Redaction;

/// <summary>The one redactor on the paths besides journal and evidence: notifications, logged exceptions, adapters' loggers.</summary>
public sealed class RedactionPathTests
{
    private static WorkflowHarness Create(INotifier? notifier = null) => WorkflowHarness.Create(services: s =>
    {
        s.AddFakeLogging();
        s.AddSingleton<ISecretValueSource>(SecretLeaks.Source);
        if (notifier is not null)
        {
            s.AddSingleton(notifier);
        }
    });

    [Fact]
    public async Task Rollback_SecretsInReasonDetailsAndStepOutput_NotifiersSeeThemMasked()
    {
        await using var h = Create();
        h.Step = (_, _) => ValueTask.FromResult(StepResult.Failure("step said: " + SecretLeaks.Text, transient: false));
        var template = h.Request();
        var request = new RollbackRequest
        {
            Target = template.Target,
            TriggerType = RollbackTriggerType.Manual,
            Severity = template.Severity,
            Reason = "operator: " + SecretLeaks.Text,
            RequestedBy = "ops",
            RequestedAt = template.RequestedAt,
            Details = new Dictionary<string, string> { ["command"] = SecretLeaks.Text },
        };

        var result = await h.Dispatcher.DispatchAsync(request);
        await h.WaitAsync(result.RollbackId);
        await h.Notifier.WaitForAsync(static e => e.Kind is RollbackEventKind.Failed or RollbackEventKind.Escalated);

        var texts = string.Join('\n', h.Notifier.Events.Select(static e =>
            $"{e.Message} {e.Actor} {e.StepName} {e.Request?.Reason} {e.Request?.RequestedBy} {string.Join(' ', e.Request?.Details.Values ?? [])}"));
        SecretLeaks.AssertAbsent(texts);

        Assert.Contains("operator: kubectl --kube-token *** via https://***@k8s.example.internal/api", texts, StringComparison.Ordinal);
        Assert.Contains("step said: kubectl --kube-token ***", texts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifierThrowsWithSecretsInItsMessage_LoggedExceptionIsRedacted()
    {
        var notifier = new ThrowingNotifier();
        await using var h = Create(notifier);

        var result = await h.Dispatcher.DispatchAsync(h.Request());
        await h.WaitAsync(result.RollbackId);
        await notifier.SecondCall.Task.WaitAsync(WorkflowHarness.WaitLimit); // the first failure is logged before the second delivery

        var records = h.Services.GetFakeLogCollector().GetSnapshot();
        var failed = records.Where(static r => r.Exception is not null).ToArray();
        Assert.NotEmpty(failed);
        foreach (var record in failed)
        {
            SecretLeaks.AssertAbsent(record.Message + record.Exception!.Message + record.Exception + record.Exception.InnerException?.Message);
            Assert.Contains("POST https://***@hooks.example.com", record.Exception.Message, StringComparison.Ordinal);
            Assert.Contains(nameof(HttpRequestException), record.Exception.ToString(), StringComparison.Ordinal);
            Assert.NotNull(record.Exception.StackTrace);
        }
    }

    [Fact]
    public void AddRedactedLogger_ComponentLogger_MasksMessageValuesAndException()
    {
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddSingleton<ISecretValueSource>(SecretLeaks.Source);
        services.AddRollbackKit();
        services.AddRedactedLogger<AdapterComponent>();
        using var provider = services.BuildServiceProvider();
        var logger = provider.GetRequiredService<ILogger<AdapterComponent>>();

        logger.LogWarning(new InvalidOperationException("inner " + SecretLeaks.Text), "calling {Url} failed: {Error}", $"https://deployer:{SecretLeaks.UrlPassword}@k8s.example.internal", SecretLeaks.Text);

        var record = provider.GetFakeLogCollector().LatestRecord;
        SecretLeaks.AssertAbsent(SecretLeaks.LogText(provider.GetFakeLogCollector()));

        Assert.StartsWith("calling https://***@k8s.example.internal failed: kubectl --kube-token ***", record.Message, StringComparison.Ordinal);
        Assert.Equal("RollbackKit.Tests.Redaction.RedactionPathTests.AdapterComponent", record.Category);
    }

    [Fact]
    public void AddRedactedLogger_NothingSecret_KeepsTheExceptionItself()
    {
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddRollbackKit();
        services.AddRedactedLogger<AdapterComponent>();
        using var provider = services.BuildServiceProvider();
        var exception = new InvalidOperationException("nothing to hide");

        provider.GetRequiredService<ILogger<AdapterComponent>>().LogError(exception, "failed");

        Assert.Same(exception, provider.GetFakeLogCollector().LatestRecord.Exception);
    }

    internal sealed class AdapterComponent;

    private sealed class ThrowingNotifier : INotifier
    {
        private int _calls;

        public TaskCompletionSource SecondCall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "throwing";

        public ValueTask NotifyAsync(RollbackEvent rollbackEvent, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 2)
            {
                SecondCall.TrySetResult();
            }

            throw new HttpRequestException($"POST https://bot:{SecretLeaks.UrlPassword}@hooks.example.com/{SecretLeaks.Configured} failed", new IOException(SecretLeaks.Text));
        }
    }
}
