using Microsoft.Extensions.Logging;
using RollbackKit.Approval;
using RollbackKit.Dispatch;
using RollbackKit.Notifications;

namespace RollbackKit.Slack.Internal;

/// <summary>
/// Every <c>[LoggerMessage]</c> of the Slack package, with event ids in the package's range 5000–5999.
/// None of them carries a token, webhook URL, response URL or secret.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(5001, LogLevel.Debug, "Slack message sent: {Kind} to {Channel} for {TargetId}")]
    public static partial void SlackMessageSent(ILogger logger, RollbackEventKind kind, string channel, string targetId);

    [LoggerMessage(5002, LogLevel.Warning, "Slack rate limited channel {Channel}: waiting {RetryAfterSeconds}s (attempt {Attempt})")]
    public static partial void SlackRateLimited(ILogger logger, string channel, double retryAfterSeconds, int attempt);

    [LoggerMessage(5003, LogLevel.Warning, "Slack request for channel {Channel} failed transiently ({Error}, attempt {Attempt})")]
    public static partial void SlackTransientFailure(ILogger logger, string channel, string error, int attempt);

    [LoggerMessage(5004, LogLevel.Error, "Slack rejected the {Kind} message for channel {Channel}: {Error}")]
    public static partial void SlackMessageFailed(ILogger logger, RollbackEventKind kind, string channel, string error);

    [LoggerMessage(5005, LogLevel.Error, "Slack {Kind} message for channel {Channel} dropped after {Attempts} attempts")]
    public static partial void SlackMessageGaveUp(ILogger logger, RollbackEventKind kind, string channel, int attempts);

    [LoggerMessage(5006, LogLevel.Debug, "Slack channel {Channel} is throttled: progress of {RollbackId} queued, a newer update replaces it")]
    public static partial void SlackProgressCoalesced(ILogger logger, string channel, string rollbackId);

    [LoggerMessage(5007, LogLevel.Warning, "No Slack channel configured for target {TargetId}; message not sent")]
    public static partial void SlackNoChannel(ILogger logger, string targetId);

    [LoggerMessage(5010, LogLevel.Warning, "Webhook '{Handler}' rejected: {Reason}")]
    public static partial void WebhookRejected(ILogger logger, string handler, string reason);

    [LoggerMessage(5011, LogLevel.Warning, "Webhook '{Handler}' malformed: {Reason}")]
    public static partial void WebhookMalformed(ILogger logger, string handler, string reason);

    [LoggerMessage(5020, LogLevel.Warning, "Slack user {UserId} is not allowed to decide approval {ApprovalId}")]
    public static partial void SlackApproverRefused(ILogger logger, string userId, string approvalId);

    [LoggerMessage(5021, LogLevel.Information, "Approval {ApprovalId} decided {Decision} by Slack user {UserId}")]
    public static partial void SlackApprovalDecided(ILogger logger, string approvalId, ApprovalDecision decision, string userId);

    [LoggerMessage(5022, LogLevel.Information, "Approval {ApprovalId} is no longer pending")]
    public static partial void SlackApprovalNotPending(ILogger logger, string approvalId);

    [LoggerMessage(5023, LogLevel.Warning, "Updating the Slack message failed: {Error}")]
    public static partial void SlackUpdateFailed(ILogger logger, string error);

    [LoggerMessage(5024, LogLevel.Warning, "Slack interaction for approval {ApprovalId} timed out")]
    public static partial void SlackInteractionTimedOut(ILogger logger, string approvalId);

    [LoggerMessage(5025, LogLevel.Error, "Slack interaction for approval {ApprovalId} failed ({ExceptionType})")]
    public static partial void SlackInteractionFailed(ILogger logger, string approvalId, string exceptionType);

    [LoggerMessage(5026, LogLevel.Warning, "Slack response_url host {Host} is not allowed; the message is not updated")]
    public static partial void SlackResponseUrlRefused(ILogger logger, string host);

    [LoggerMessage(5027, LogLevel.Warning, "Approver group {GroupId} needs a bot token to be resolved")]
    public static partial void SlackGroupNeedsBotToken(ILogger logger, string groupId);

    [LoggerMessage(5028, LogLevel.Warning, "Looking up the members of approver group {GroupId} failed")]
    public static partial void SlackGroupLookupFailed(ILogger logger, string groupId);

    [LoggerMessage(5008, LogLevel.Warning, "Recording or reading the Slack thread of rollback {RollbackId} in the journal failed ({ExceptionType})")]
    public static partial void SlackStateFailed(ILogger logger, string rollbackId, string exceptionType);
}
