using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Dispatch;
using RollbackKit.Playbooks;

namespace RollbackKit.Tests.Playbooks;

internal static class PlaybookTestContext
{
    public static PlaybookStepContext Create(TimeProvider time, EvidenceCollector? evidence = null) => new(
        "rb-test",
        new RollbackRequest { Target = new RollbackTarget("app"), TriggerType = RollbackTriggerType.Manual, Reason = "test" },
        evidence ?? new EvidenceCollector(),
        new ServiceCollection().BuildServiceProvider(),
        time);

    public static PlaybookBuilder Builder(TimeProvider time, params IPlaybookStepFactory[] extra) =>
        new([new HttpCheckStepFactory(), new CommandStepFactory(), new DelayStepFactory(), .. extra], time);
}
