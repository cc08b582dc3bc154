using System.ComponentModel.DataAnnotations;

namespace RollbackKit.Workflow;

/// <summary>What happens to a medium (P2) severity rollback request.</summary>
public enum MediumSeverityPolicy
{
    /// <summary>Only raise an alert; never roll back. Default.</summary>
    AlertOnly = 0,

    /// <summary>Ask approvers and roll back only after an explicit approval; never proceeds on timeout.</summary>
    RequireApproval = 1,
}

/// <summary>What the workflow does at start with a rollback that a previous process left unfinished.</summary>
public enum UnfinishedWorkflowPolicy
{
    /// <summary>Resume it from the last recorded state (re-running the step that was in progress). Default.</summary>
    Resume = 0,

    /// <summary>Do not resume; mark it <see cref="RollbackState.NeedsAttention"/> and escalate to a human.</summary>
    MarkForAttention = 1,
}

/// <summary>Rollback workflow settings, under <c>RollbackKit:Workflow</c>.</summary>
public sealed class RollbackWorkflowOptions
{
    /// <summary>Global kill switch: when <see langword="false"/>, automatic requests (triggers, incidents, policy breaches, alerts)
    /// only raise an alert; manual rollback still works. Default: <see langword="true"/>.</summary>
    public bool AutoRollbackEnabled { get; set; } = true;

    /// <summary>Ids of targets already past their point of no return (for example after an irreversible migration): a fired trigger
    /// notifies and asks for a forward fix instead of rolling back. Default: empty.</summary>
    public List<string> PointOfNoReturnTargets { get; set; } = [];

    /// <summary>Most automatic rollbacks of one target within <see cref="AttemptWindow"/>; further automatic requests are rejected.
    /// Manual requests are not limited. Default: 3.</summary>
    [Range(1, int.MaxValue)]
    public int MaxAttemptsPerTarget { get; set; } = 3;

    /// <summary>The window over which <see cref="MaxAttemptsPerTarget"/> counts rollbacks. Default: 24 hours.</summary>
    public TimeSpan AttemptWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>After a rollback of a target finished, automatic requests for it are rejected for this long (manual requests are not).
    /// Default: 10 minutes.</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>High (P1): how long to wait for an acknowledgement before rolling back anyway and escalating as P0. Default: 15 minutes.</summary>
    public TimeSpan AcknowledgementTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Medium (P2): alert only, or wait for an explicit approval. Default: <see cref="MediumSeverityPolicy.AlertOnly"/>.</summary>
    public MediumSeverityPolicy MediumSeverity { get; set; } = MediumSeverityPolicy.AlertOnly;

    /// <summary>Medium (P2) with <see cref="MediumSeverityPolicy.RequireApproval"/>: how long to wait for an approval; on timeout the
    /// request is rejected (never rolled back). Default: 1 hour.</summary>
    public TimeSpan ApprovalTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often a running rollback sends a progress notification. Zero disables. Default: 2 minutes.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Time allowed to each notifier for one event; a notifier that throws or hangs never delays a rollback. Default: 10 seconds.</summary>
    public TimeSpan NotifierTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a deduplication key (alert fingerprint, incident id) is remembered from the time it was first seen; a request
    /// with a key seen within the window is a duplicate, after it the request is treated as new. Default: 24 hours.</summary>
    public TimeSpan DeduplicationWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>At shutdown, how long in total notifiers may keep delivering the events already queued (each delivery still gets
    /// <see cref="NotifierTimeout"/>); events not delivered by then are dropped and counted in the log. Zero drops them at once.
    /// Default: 5 seconds.</summary>
    public TimeSpan NotifierDrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the target is re-checked through <see cref="Verification.ITargetHealthProbe"/> after the playbook. Default: <see langword="true"/>.</summary>
    public bool VerificationEnabled { get; set; } = true;

    /// <summary>How long the target is re-checked after the playbook; it must be healthy at the end of the window. Zero checks once.
    /// Default: 2 minutes.</summary>
    public TimeSpan VerificationWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Time between health checks during verification. Default: 15 seconds.</summary>
    public TimeSpan VerificationInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The append-only JSON Lines journal file. A relative path is resolved against the host's content root
    /// (<c>IHostEnvironment.ContentRootPath</c>), or the current directory without a host. Default: <c>./rollbackkit/journal.jsonl</c>.</summary>
    public string JournalPath { get; set; } = "./rollbackkit/journal.jsonl";

    /// <summary>Directory for evidence bundles (one zip per rollback); a relative path is resolved like <see cref="JournalPath"/>.
    /// Default: <c>./rollbackkit/evidence</c>.</summary>
    public string EvidenceDirectory { get; set; } = "./rollbackkit/evidence";

    /// <summary>Whether an evidence bundle is written for each finished rollback. Default: <see langword="true"/>.</summary>
    public bool EvidenceEnabled { get; set; } = true;

    /// <summary>What to do at start with rollbacks a previous process left unfinished. Default: <see cref="UnfinishedWorkflowPolicy.Resume"/>.</summary>
    public UnfinishedWorkflowPolicy UnfinishedWorkflows { get; set; } = UnfinishedWorkflowPolicy.Resume;

    /// <summary>How often the background service looks for unfinished rollbacks whose target lock it can take (for example after another
    /// replica died). Zero disables the periodic scan (the scan at start always runs). Default: 30 seconds.</summary>
    public TimeSpan UnfinishedScanInterval { get; set; } = TimeSpan.FromSeconds(30);
}
