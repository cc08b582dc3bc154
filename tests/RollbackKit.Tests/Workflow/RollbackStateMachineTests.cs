using RollbackKit.Workflow;

namespace RollbackKit.Tests.Workflow;

public class RollbackStateMachineTests
{
    public static TheoryData<RollbackState, RollbackState> Allowed => new()
    {
        { RollbackState.Monitoring, RollbackState.RollbackPending },
        { RollbackState.RollbackPending, RollbackState.AwaitingApproval },
        { RollbackState.RollbackPending, RollbackState.RollingBack },
        { RollbackState.AwaitingApproval, RollbackState.AwaitingApproval },
        { RollbackState.AwaitingApproval, RollbackState.RollingBack },
        { RollbackState.AwaitingApproval, RollbackState.Rejected },
        { RollbackState.RollingBack, RollbackState.RollingBack },
        { RollbackState.RollingBack, RollbackState.Verifying },
        { RollbackState.RollingBack, RollbackState.RollbackFailed },
        { RollbackState.Verifying, RollbackState.Verifying },
        { RollbackState.Verifying, RollbackState.RolledBack },
        { RollbackState.Verifying, RollbackState.RollbackFailed },
        { RollbackState.RollbackPending, RollbackState.NeedsAttention },
        { RollbackState.Verifying, RollbackState.NeedsAttention },
        { RollbackState.RollbackPending, RollbackState.RollbackFailed },
    };

    public static TheoryData<RollbackState, RollbackState> Refused => new()
    {
        { RollbackState.RollbackPending, RollbackState.Rejected },
        { RollbackState.RollbackPending, RollbackState.Verifying },
        { RollbackState.RollbackPending, RollbackState.RolledBack },
        { RollbackState.RollingBack, RollbackState.AwaitingApproval },
        { RollbackState.RollingBack, RollbackState.RolledBack },
        { RollbackState.Verifying, RollbackState.RollingBack },
        { RollbackState.Monitoring, RollbackState.RollbackFailed },
        { RollbackState.RolledBack, RollbackState.RollingBack },
        { RollbackState.RollbackFailed, RollbackState.NeedsAttention },
        { RollbackState.Rejected, RollbackState.RollbackPending },
        { RollbackState.NeedsAttention, RollbackState.RolledBack },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void CanTransition_AllowedMoves_True(RollbackState from, RollbackState to) => Assert.True(RollbackStateMachine.CanTransition(from, to));

    [Theory]
    [MemberData(nameof(Refused))]
    public void CanTransition_OtherMoves_FalseAndEnsureThrows(RollbackState from, RollbackState to)
    {
        Assert.False(RollbackStateMachine.CanTransition(from, to));
        Assert.Throws<InvalidOperationException>(() => RollbackStateMachine.EnsureCanTransition(from, to));
    }

    [Fact]
    public void CanTransition_NothingLeavesAFinalState()
    {
        foreach (var from in Enum.GetValues<RollbackState>().Where(s => s.IsTerminal()))
        {
            Assert.All(Enum.GetValues<RollbackState>(), to => Assert.False(RollbackStateMachine.CanTransition(from, to)));
        }
    }

    [Theory]
    [InlineData(RollbackState.RollbackPending, (int)WorkflowPhase.Gate)]
    [InlineData(RollbackState.AwaitingApproval, (int)WorkflowPhase.Gate)]
    [InlineData(RollbackState.RollingBack, (int)WorkflowPhase.Playbook)]
    [InlineData(RollbackState.Verifying, (int)WorkflowPhase.Verify)]
    [InlineData(RollbackState.RolledBack, (int)WorkflowPhase.Done)]
    [InlineData(RollbackState.NeedsAttention, (int)WorkflowPhase.Done)]
    public void NextPhase_ResumesWhereTheStateSays(RollbackState state, int expected) =>
        Assert.Equal((WorkflowPhase)expected, RollbackStateMachine.NextPhase(state));

    [Fact]
    public void Outcomes_PlaybookAndVerification()
    {
        Assert.Equal(RollbackState.Verifying, RollbackStateMachine.AfterPlaybook(succeeded: true));
        Assert.Equal(RollbackState.RollbackFailed, RollbackStateMachine.AfterPlaybook(succeeded: false));
        Assert.Equal(RollbackState.RolledBack, RollbackStateMachine.AfterVerification(healthy: true));
        Assert.Equal(RollbackState.RollbackFailed, RollbackStateMachine.AfterVerification(healthy: false));
    }

    [Fact]
    public void HappyPath_EveryStepAllowed()
    {
        RollbackState[] path = [RollbackState.Monitoring, RollbackState.RollbackPending, RollbackState.AwaitingApproval, RollbackState.RollingBack, RollbackState.Verifying, RollbackState.RolledBack];
        for (var i = 1; i < path.Length; i++)
        {
            Assert.True(RollbackStateMachine.CanTransition(path[i - 1], path[i]), $"{path[i - 1]} -> {path[i]}");
        }
    }
}
