using System.Text;

namespace RollbackKit.Metrics;

/// <summary>
/// Fills <c>{{label}}</c> placeholders in a query template from a target's labels, passing every value through an
/// escaping function supplied by the source (for example PromQL string escaping).
/// </summary>
public static class QueryTemplate
{
    /// <summary>Returns the names of the placeholders used in <paramref name="template"/>, in order of first use.</summary>
    /// <param name="template">The template text.</param>
    public static IReadOnlyList<string> GetPlaceholders(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var names = new List<string>();
        var index = 0;
        while (TryFindPlaceholder(template, index, out var start, out var end, out var name))
        {
            if (!names.Contains(name))
            {
                names.Add(name);
            }

            index = end;
            _ = start;
        }

        return names;
    }

    /// <summary>Fills the placeholders of <paramref name="template"/>.</summary>
    /// <param name="template">The template text.</param>
    /// <param name="resolve">Returns the raw value for a placeholder name, or <see langword="null"/> when unknown.</param>
    /// <param name="escape">Escapes a raw value for the query language.</param>
    /// <returns>The filled query.</returns>
    /// <exception cref="KeyNotFoundException">A placeholder has no value.</exception>
    public static string Render(string template, Func<string, string?> resolve, Func<string, string> escape)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentNullException.ThrowIfNull(escape);
        var builder = new StringBuilder(template.Length + 32);
        var index = 0;
        while (TryFindPlaceholder(template, index, out var start, out var end, out var name))
        {
            builder.Append(template, index, start - index);
            var value = resolve(name) ?? throw new KeyNotFoundException($"No value for placeholder '{{{{{name}}}}}'.");
            builder.Append(escape(value));
            index = end;
        }

        builder.Append(template, index, template.Length - index);
        return builder.ToString();
    }

    private static bool TryFindPlaceholder(string template, int from, out int start, out int end, out string name)
    {
        start = template.IndexOf("{{", from, StringComparison.Ordinal);
        while (start >= 0)
        {
            var close = template.IndexOf("}}", start + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                break;
            }

            var candidate = template.AsSpan(start + 2, close - start - 2).Trim();
            if (candidate.Length > 0 && IsName(candidate))
            {
                name = candidate.ToString();
                end = close + 2;
                return true;
            }

            start = template.IndexOf("{{", start + 2, StringComparison.Ordinal);
        }

        start = end = -1;
        name = string.Empty;
        return false;
    }

    private static bool IsName(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
