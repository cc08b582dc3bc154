using System.Text;

namespace RollbackKit.Prometheus.Internal;

/// <summary>
/// What instant and range queries share about targets: the values of template placeholders, and the lookup from a
/// series' <c>GroupBy</c> label (UTF-8, straight from the reply) to the targets it answers.
/// </summary>
internal static class PromQLTargets
{
    /// <summary>A placeholder's value for one target: its label, or the configured interval for <c>{{interval}}</c>.</summary>
    public static string? Resolve(RollbackTarget target, string name, string interval) =>
        target.GetLabel(name) ?? (name == "interval" ? interval : null);

    /// <summary>A placeholder's value shared by every target (a grouped query runs once for all); throws when they differ.</summary>
    /// <exception cref="FormatException">A target lacks the label, or targets differ in it.</exception>
    public static string? ResolveShared(IReadOnlyList<RollbackTarget> targets, string name, string interval)
    {
        string? shared = null;
        foreach (var target in targets)
        {
            var value = Resolve(target, name, interval);
            if (value is null)
            {
                throw new FormatException($"target '{target.Id}' has no label '{name}'");
            }

            if (shared is not null && !string.Equals(shared, value, StringComparison.Ordinal))
            {
                throw new FormatException($"with GroupBy the query is run once for all targets, but targets differ in '{{{{{name}}}}}'");
            }

            shared = value;
        }

        return shared ?? (name == "interval" ? interval : null);
    }

    /// <summary>Maps each value of <paramref name="targetLabel"/> to the indexes of the targets that have it.</summary>
    public static Dictionary<string, int[]> MapByLabel(IReadOnlyList<RollbackTarget> targets, string targetLabel)
    {
        var map = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < targets.Count; i++)
        {
            var key = targets[i].GetLabel(targetLabel);
            if (key is null)
            {
                continue;
            }

            if (!map.TryGetValue(key, out var list))
            {
                map[key] = list = [];
            }

            list.Add(i);
        }

        var frozen = new Dictionary<string, int[]>(map.Count, StringComparer.Ordinal);
        foreach (var pair in map)
        {
            frozen[pair.Key] = [.. pair.Value];
        }

        return frozen;
    }

    /// <summary>The targets a series answers, looked up by its UTF-8 label value without allocating a string.</summary>
    public static bool TryFind(Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> lookup, ReadOnlySpan<byte> label, out int[] indices)
    {
        Span<char> chars = label.Length <= 256 ? stackalloc char[label.Length] : new char[label.Length];
        var written = Encoding.UTF8.GetChars(label, chars);
        return lookup.TryGetValue(chars[..written], out indices!);
    }
}
