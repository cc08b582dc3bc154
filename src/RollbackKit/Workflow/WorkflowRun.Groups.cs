using RollbackKit.Groups;

namespace RollbackKit.Workflow;

/// <summary>The coordinated-group side of a run.</summary>
internal sealed partial class WorkflowRun
{
    /// <summary>For the rollback of a coordinated group, its members' order and progress; otherwise <see langword="null"/>.</summary>
    public GroupRunState? Group { get; set; }

    /// <summary>Whether this run is one member's part of a group's rollback: it shares the group's rollback id, journals under the
    /// member's id, and is never tracked, locked or completed on its own.</summary>
    public bool IsGroupMember { get; init; }
}
