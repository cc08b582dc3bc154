using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.Notifications;

namespace RollbackKit.Tests.Notifications;

public class LoggingNotifierTests
{
    [Theory]
    [InlineData(RollbackEventKind.Escalated, LogLevel.Error)]
    [InlineData(RollbackEventKind.Failed, LogLevel.Error)]
    [InlineData(RollbackEventKind.AwaitingApproval, LogLevel.Warning)]
    [InlineData(RollbackEventKind.Alert, LogLevel.Warning)]
    [InlineData(RollbackEventKind.Succeeded, LogLevel.Information)]
    [InlineData(RollbackEventKind.StepCompleted, LogLevel.Information)]
    public async Task NotifyAsync_LogsEveryKindAtItsLevel(RollbackEventKind kind, LogLevel level)
    {
        var logger = new FakeLogger<LoggingNotifier>();
        var notifier = new LoggingNotifier(logger);
        await notifier.NotifyAsync(new RollbackEvent { Kind = kind, RollbackId = "rb-1", Target = new RollbackTarget("payments/checkout"), Message = "the message", ApprovalId = "ap-9" }, CancellationToken.None);
        var record = logger.LatestRecord;
        Assert.Equal(level, record.Level);
        Assert.Contains("payments/checkout", record.Message, StringComparison.Ordinal);
        Assert.Contains("rb-1", record.Message, StringComparison.Ordinal);
        Assert.Contains("the message", record.Message, StringComparison.Ordinal);
        if (kind == RollbackEventKind.AwaitingApproval)
        {
            Assert.Contains("ap-9", record.Message, StringComparison.Ordinal);
        }
    }
}
