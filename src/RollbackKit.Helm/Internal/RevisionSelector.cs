using System.Globalization;
using System.Text;

namespace RollbackKit.Helm.Internal;

/// <summary>The revision a rollback goes to, or why there is none.</summary>
internal readonly record struct RevisionChoice(int CurrentRevision, int? TargetRevision, string? Error)
{
    public bool Found => TargetRevision.HasValue;
}

/// <summary>
/// Chooses the revision to roll back to. helm's own default is the previous revision number even when that revision
/// failed; this picks the newest revision older than the current one whose status is <c>deployed</c> or
/// <c>superseded</c>, or an explicit revision.
/// </summary>
internal static class RevisionSelector
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

        HelmRevision? best = null;
        foreach (var entry in history)
        {
            if (entry.Revision < current.Revision && IsGood(entry.Status) && (best is null || entry.Revision > best.Value.Revision))
            {
                best = entry;
            }
        }

        return best is { } chosen
            ? new RevisionChoice(current.Revision, chosen.Revision, null)
            : new RevisionChoice(
                current.Revision,
                null,
                $"no revision of release '{release}' older than the current revision {current.Revision} is deployed or superseded; history:\n{Describe(history)}");
    }

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
