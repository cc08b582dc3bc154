namespace RollbackKit.Workflow;

/// <summary>Rollback workflow settings, under <c>RollbackKit:Workflow</c>.</summary>
public sealed class RollbackWorkflowOptions
{
}
