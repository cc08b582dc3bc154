using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RollbackKit.Helm.Internal;

/// <summary>The revision a rollback goes to, or why there is none.</summary>
internal readonly record struct RevisionChoice(int CurrentRevision, int? TargetRevision, string? Error)
{
    public bool Found => TargetRevision.HasValue;
}

/// <summary>
/// Chooses the revision to roll back to. helm's own default is the previous revision number even when that revision
/// failed; this picks the newest revision older than the current one whose status is <c>deployed</c> or
/// <c>superseded</c> and that no later rollback moved away from, or an explicit revision.
/// </summary>
internal static partial class RevisionSelector
{
    public static bool IsGood(string status) =>
        string.Equals(status, "deployed", StringComparison.OrdinalIgnoreCase)
        || string.Equals(status, "superseded", StringComparison.OrdinalIgnoreCase);

    public static bool IsPending(string status) => status.StartsWith("pending-", StringComparison.OrdinalIgnoreCase);

    public static RevisionChoice Choose(string release, IReadOnlyList<HelmRevision> history, int? explicitRevision)
    {
        if (history.Count == 0)
        {
            return new RevisionChoice(0, null, $"release '{release}' has no history");
        }

        var current = history[0];
        foreach (var entry in history)
        {
            if (entry.Revision > current.Revision)
            {
                current = entry;
            }
        }

        if (explicitRevision is { } wanted)
        {
            foreach (var entry in history)
            {
                if (entry.Revision == wanted)
                {
                    return new RevisionChoice(current.Revision, wanted, null);
                }
            }

            return new RevisionChoice(
                current.Revision,
                null,
                $"revision {wanted} of release '{release}' is not in its history (it may have been pruned by --history-max); history:\n{Describe(history)}");
        }

        var abandoned = AbandonedRevisions(history);
        HelmRevision? best = null;
        foreach (var entry in history)
        {
            if (entry.Revision < current.Revision
                && IsGood(entry.Status)
                && !abandoned.Contains(entry.Revision)
                && (best is null || entry.Revision > best.Value.Revision))
            {
                best = entry;
            }
        }

        return best is { } chosen
            ? new RevisionChoice(current.Revision, chosen.Revision, null)
            : new RevisionChoice(
                current.Revision,
                null,
                $"no revision of release '{release}' older than the current revision {current.Revision} is deployed or superseded"
                + (abandoned.Count > 0 ? $" (revisions {string.Join(", ", abandoned.Order())} were rolled back from earlier)" : string.Empty)
                + $"; history:\n{Describe(history)}");
    }

    /// <summary>
    /// Revisions an earlier rollback moved away from: a revision <c>k</c> described <c>Rollback to N</c> abandons every
    /// revision between <c>N</c> and <c>k</c>. They stay <c>superseded</c> in helm's history but are known bad.
    /// </summary>
    public static HashSet<int> AbandonedRevisions(IReadOnlyList<HelmRevision> history)
    {
        var abandoned = new HashSet<int>();
        foreach (var entry in history)
        {
            var match = RollbackDescription().Match(entry.Description);
            if (match.Success && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var target))
            {
                foreach (var other in history)
                {
                    if (other.Revision > target && other.Revision < entry.Revision)
                    {
                        abandoned.Add(other.Revision);
                    }
                }
            }
        }

        return abandoned;
    }

    [GeneratedRegex(@"^Rollback to (\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex RollbackDescription();

    /// <summary>One line per revision: number, status, chart, app version and description.</summary>
    public static string Describe(IReadOnlyList<HelmRevision> history)
    {
        var text = new StringBuilder();
        foreach (var entry in history)
        {
            text.Append(CultureInfo.InvariantCulture, $"  revision {entry.Revision}: {entry.Status}, chart {entry.Chart}");
            if (entry.AppVersion.Length > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" (app {entry.AppVersion})");
            }

            text.Append(CultureInfo.InvariantCulture, $", \"{entry.Description}\"\n");
        }

        return text.ToString().TrimEnd('\n');
    }
}
