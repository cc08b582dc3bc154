using System.Globalization;
using System.Text;
using k8s.Models;

namespace RollbackKit.Kubernetes.Internal;

internal static class Selectors
{
    /// <summary>Renders a LabelSelector as a selector string, like metav1.LabelSelectorAsSelector (requirements sorted by key).</summary>
    public static string ToSelectorString(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            throw new InvalidOperationException("the deployment has no selector");
        }

        var parts = new List<(string Key, string Text)>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            parts.Add((key, $"{key}={value}"));
        }

        foreach (var e in selector.MatchExpressions ?? [])
        {
            var values = string.Join(",", (e.Values ?? []).Order(StringComparer.Ordinal));
            parts.Add((e.Key, e.OperatorProperty switch
            {
                "In" => $"{e.Key} in ({values})",
                "NotIn" => $"{e.Key} notin ({values})",
                "Exists" => e.Key,
                "DoesNotExist" => "!" + e.Key,
                _ => throw new InvalidOperationException($"\"{e.OperatorProperty}\" is not a valid label selector operator"),
            }));
        }

        var sb = new StringBuilder();
        foreach (var (_, text) in parts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(text);
        }

        return sb.ToString();
    }

    /// <summary>Escapes nothing but checks a field selector value has no separators.</summary>
    public static string FieldEquals(string field, string value)
    {
        if (value.Contains(',', StringComparison.Ordinal) || value.Contains('=', StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid value for field selector {field}: {value}", nameof(value));
        }

        return string.Create(CultureInfo.InvariantCulture, $"{field}={value}");
    }
}
