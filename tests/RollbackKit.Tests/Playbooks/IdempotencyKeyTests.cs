using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Playbooks;

namespace RollbackKit.Tests.Playbooks;

public class IdempotencyKeyTests
{
    private sealed class Sink : IEvidenceSink
    {
        public Dictionary<string, string> Items { get; } = [];

        public void Add(string name, string content) => Items[name] = content;
    }

    [Fact]
    public void IdempotencyKey_RunStepAndAttempt()
    {
        var context = new PlaybookStepContext("rb-1", new RollbackRequest { Target = new RollbackTarget("app"), TriggerType = RollbackTriggerType.Manual, Reason = "r" }, new Sink(), new ServiceCollection().BuildServiceProvider(), TimeProvider.System)
        {
            StepIndex = 2,
            Attempt = 3,
        };

        Assert.Equal("rb-1:2:3", context.IdempotencyKey);
    }
}
