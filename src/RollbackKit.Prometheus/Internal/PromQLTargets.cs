using System.Text;

namespace RollbackKit.Prometheus.Internal;

/// <summary>
/// What instant and range queries share about targets: the values of template placeholders, and the lookup from a
/// series' <c>GroupBy</c> label (UTF-8, straight from the reply) to the targets it answers.
/// </summary>
internal static class PromQLTargets
{
    /// <summary>
    /// The reserved placeholder of grouped queries: a regular expression matching exactly the batch's targets'
    /// <see cref="Metrics.MetricQueryDefinition.TargetLabel"/> values, for a matcher such as <c>deployment=~"{{targets}}"</c>.
    /// </summary>
    public const string TargetsPlaceholder = "targets";

    /// <summary>A placeholder's value for one target: its label, or the configured interval for <c>{{interval}}</c>.</summary>
    /// <exception cref="FormatException">The placeholder is <c>{{targets}}</c>, which only grouped queries fill.</exception>
    public static string? Resolve(RollbackTarget target, string name, string interval)
    {
        if (name == TargetsPlaceholder)
        {
            throw new FormatException("placeholder '{{targets}}' is only filled in a query with GroupBy (it matches every target of the grouped query)");
        }

        return target.GetLabel(name) ?? (name == "interval" ? interval : null);
    }

    /// <summary>
    /// A placeholder's value shared by every target (a grouped query runs once for all); throws when they differ.
    /// <c>{{targets}}</c> is the regular expression of <see cref="TargetsRegex"/> over <paramref name="targetLabel"/>.
    /// </summary>
    /// <exception cref="FormatException">A target lacks the label, or targets differ in it.</exception>
    public static string? ResolveShared(IReadOnlyList<RollbackTarget> targets, string name, string interval, string targetLabel)
    {
        if (name == TargetsPlaceholder)
        {
            return TargetsRegex(targets, targetLabel);
        }

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

    /// <summary>
    /// A regular expression (RE2, which Prometheus anchors at both ends) matching exactly the distinct values of
    /// <paramref name="targetLabel"/> among <paramref name="targets"/>, in the order first seen, joined with <c>|</c>.
    /// Targets without the label, or with an empty value (which no series carries: Prometheus treats an empty label as
    /// absent), are left out, so the expression never matches series that lack the label; empty when none has it.
    /// </summary>
    public static string TargetsRegex(IReadOnlyList<RollbackTarget> targets, string targetLabel)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var builder = new StringBuilder();
        foreach (var target in targets)
        {
            var value = target.GetLabel(targetLabel);
            if (string.IsNullOrEmpty(value) || !seen.Add(value))
            {
                continue;
            }

            if (seen.Count > 1)
            {
                builder.Append('|');
            }

            AppendRegexEscaped(builder, value);
        }

        return builder.ToString();
    }

    /// <summary>Escapes the RE2 metacharacters of <paramref name="value"/> (as Go's <c>regexp.QuoteMeta</c>) so it matches only itself.</summary>
    public static void AppendRegexEscaped(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            if (c is '\\' or '.' or '+' or '*' or '?' or '(' or ')' or '|' or '[' or ']' or '{' or '}' or '^' or '$')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }
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
