using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RollbackKit.Slack.Internal;

/// <summary>Decides whether a Slack user may approve: listed by user id, or member of a listed user group (<c>S…</c>).</summary>
internal sealed class SlackApproverPolicy(
    SlackApiClient client, IOptionsMonitor<SlackOptions> options, TimeProvider timeProvider, ILogger<SlackApproverPolicy> logger)
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset FetchedAt, HashSet<string> Members)> _groups = new(StringComparer.Ordinal);

    public async ValueTask<bool> IsAllowedAsync(string userId, CancellationToken cancellationToken)
    {
        var o = options.CurrentValue;
        foreach (var approver in o.Approvers)
        {
            if (string.Equals(approver?.Trim(), userId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        foreach (var approver in o.Approvers)
        {
            var id = approver?.Trim();
            if (id is null || !id.StartsWith('S'))
            {
                continue;
            }

            var members = await GetMembersAsync(id, o, cancellationToken).ConfigureAwait(false);
            if (members is not null && members.Contains(userId))
            {
                return true;
            }
        }

        return false;
    }

    private async ValueTask<HashSet<string>?> GetMembersAsync(string groupId, SlackOptions o, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (_groups.TryGetValue(groupId, out var cached) && now - cached.FetchedAt < o.ApproverGroupCacheDuration)
        {
            return cached.Members;
        }

        if (!client.BotMode)
        {
            Log.SlackGroupNeedsBotToken(logger, groupId);
            return null;
        }

        var users = await client.ListGroupMembersAsync(groupId, cancellationToken).ConfigureAwait(false);
        if (users is null)
        {
            Log.SlackGroupLookupFailed(logger, groupId);
            return cached.Members; // Stale members are better than none while Slack is unavailable.
        }

        var set = new HashSet<string>(users, StringComparer.Ordinal);
        _groups[groupId] = (now, set);
        return set;
    }
}
