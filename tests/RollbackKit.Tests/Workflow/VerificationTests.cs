using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Dispatch;
using RollbackKit.Notifications;
using RollbackKit.Workflow;
using RollbackKit.Verification;

namespace RollbackKit.Tests.Workflow;

public class VerificationTests
{
    private sealed class ScriptedProbe(Func<int, bool> healthy) : ITargetHealthProbe
    {
        private int _calls;

        public Channel<int> Calls { get; } = Channel.CreateUnbounded<int>();

        public ValueTask<TargetHealth> ProbeAsync(RollbackTarget target, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _calls);
            var ok = healthy(n);
            Calls.Writer.TryWrite(n);
            return ValueTask.FromResult(new TargetHealth(ok, ok ? "all triggers pass" : "error-rate: 4.1 > 0.75", [new MeasuredValue("error_rate", ok ? 0.1 : 4.1)]));
        }
    }

    private static WorkflowHarness Create(ScriptedProbe probe) => WorkflowHarness.Create(
        o =>
        {
            o.Workflow.VerificationWindow = TimeSpan.FromMinutes(2);
            o.Workflow.VerificationInterval = TimeSpan.FromSeconds(15);
        },
        s => s.AddSingleton<ITargetHealthProbe>(probe));

    [Fact]
    public async Task Verify_HealthyThroughoutWindow_RolledBackWithAllChecks()
    {
        var probe = new ScriptedProbe(_ => true);
        await using var h = Create(probe);
        var result = await h.Dispatcher.DispatchAsync(h.Request());
        var completion = h.WaitAsync(result.RollbackId);
        var status = await h.AdvanceUntilAsync(completion, TimeSpan.FromSeconds(15));
        Assert.Equal(RollbackState.RolledBack, status.State);
        var audit = (await h.History.GetRollbacksAsync("app")).Single();
        Assert.True(audit.Verification.Performed);
        Assert.True(audit.Verification.Success);
        // Probes at 0 s, 15 s, ... 120 s of fake time: at most 9, and more than one since the window is 2 minutes.
        Assert.InRange(audit.Verification.ChecksTotal, 2, 9);
        Assert.Equal(audit.Verification.ChecksTotal, audit.Verification.ChecksPassed);
    }

    [Fact]
    public async Task Verify_StillUnhealthy_FailsWithSystemicEscalation()
    {
        var probe = new ScriptedProbe(_ => false);
        await using var h = Create(probe);
        var result = await h.Dispatcher.DispatchAsync(h.Request());
        var status = await h.AdvanceUntilAsync(h.WaitAsync(result.RollbackId), TimeSpan.FromSeconds(15));
        Assert.Equal(RollbackState.RollbackFailed, status.State);
        Assert.Contains("previous version also unhealthy", status.Message, StringComparison.Ordinal);
        var escalation = await h.Notifier.WaitForAsync(RollbackEventKind.Escalated);
        Assert.Contains("systemic", escalation.Message, StringComparison.Ordinal);
        await h.Notifier.WaitForAsync(RollbackEventKind.Failed);
        var audit = (await h.History.GetRollbacksAsync("app")).Single();
        Assert.False(audit.Verification.Success);
        Assert.Equal(0, audit.Verification.ChecksPassed);
    }

    [Fact]
    public async Task Verify_RecoversBeforeWindowEnds_RolledBackWithNote()
    {
        var probe = new ScriptedProbe(n => n > 2);
        await using var h = Create(probe);
        var result = await h.Dispatcher.DispatchAsync(h.Request());
        var status = await h.AdvanceUntilAsync(h.WaitAsync(result.RollbackId), TimeSpan.FromSeconds(15));
        Assert.Equal(RollbackState.RolledBack, status.State);
        var audit = (await h.History.GetRollbacksAsync("app")).Single();
        Assert.Equal(audit.Verification.ChecksTotal - 2, audit.Verification.ChecksPassed);
        Assert.Contains("recovered", audit.Verification.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ProbeThrows_CountsAsUnhealthy()
    {
        await using var h = WorkflowHarness.Create(
            o => o.Workflow.VerificationWindow = TimeSpan.Zero,
            s => s.AddSingleton<ITargetHealthProbe>(new ThrowingProbe()));
        var result = await h.Dispatcher.DispatchAsync(h.Request());
        var status = await h.WaitAsync(result.RollbackId);
        Assert.Equal(RollbackState.RollbackFailed, status.State);
        Assert.Contains("probe failed", status.Message, StringComparison.Ordinal);
    }

    private sealed class ThrowingProbe : ITargetHealthProbe
    {
        public ValueTask<TargetHealth> ProbeAsync(RollbackTarget target, CancellationToken cancellationToken) => throw new InvalidOperationException("source down");
    }

    [Fact]
    public async Task Verify_Disabled_SkipsProbe()
    {
        var probe = new ScriptedProbe(_ => false);
        await using var h = WorkflowHarness.Create(o => o.Workflow.VerificationEnabled = false, s => s.AddSingleton<ITargetHealthProbe>(probe));
        var result = await h.Dispatcher.DispatchAsync(h.Request());
        Assert.Equal(RollbackState.RolledBack, (await h.WaitAsync(result.RollbackId)).State);
        Assert.False(probe.Calls.Reader.TryRead(out _));
    }
}
