using System.Text.Json.Nodes;

namespace RollbackKit.Kubernetes.Emulator;

/// <summary>A parsed Kubernetes label selector (<c>a=b</c>, <c>a!=b</c>, <c>a in (x,y)</c>, <c>a notin (x)</c>, <c>a</c>, <c>!a</c>).</summary>
public sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    /// <summary>Parses a selector string.</summary>
    /// <exception cref="FormatException">The selector is malformed.</exception>
    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in SplitTopLevel(text))
        {
            var part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            var inIdx = IndexOfWord(part, " notin ");
            if (inIdx > 0)
            {
                var key = part[..inIdx].Trim();
                var values = ParseSet(part[(inIdx + 7)..]);
                selector._requirements.Add(l => !l.TryGetValue(key, out var v) || !values.Contains(v));
                continue;
            }

            inIdx = IndexOfWord(part, " in ");
            if (inIdx > 0)
            {
                var key = part[..inIdx].Trim();
                var values = ParseSet(part[(inIdx + 4)..]);
                selector._requirements.Add(l => l.TryGetValue(key, out var v) && values.Contains(v));
                continue;
            }

            var ne = part.IndexOf("!=", StringComparison.Ordinal);
            if (ne > 0)
            {
                var key = part[..ne].Trim();
                var value = part[(ne + 2)..].Trim();
                selector._requirements.Add(l => !l.TryGetValue(key, out var v) || v != value);
                continue;
            }

            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                var key = part[..eq].Trim();
                var value = part[(eq + 1)..].TrimStart('=').Trim();
                selector._requirements.Add(l => l.TryGetValue(key, out var v) && v == value);
                continue;
            }

            if (part.StartsWith('!'))
            {
                var key = part[1..].Trim();
                selector._requirements.Add(l => !l.ContainsKey(key));
                continue;
            }

            if (part.Contains(' ', StringComparison.Ordinal) || part.Contains('(', StringComparison.Ordinal))
            {
                throw new FormatException($"unable to parse requirement: {part}");
            }

            var existsKey = part;
            selector._requirements.Add(l => l.ContainsKey(existsKey));
        }

        return selector;
    }

    /// <summary>Whether the labels satisfy every requirement.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r(labels));

    internal static Dictionary<string, string> LabelsOf(JsonNode obj)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj["metadata"]?["labels"] is JsonObject labels)
        {
            foreach (var (k, v) in labels)
            {
                result[k] = v?.ToString() ?? "";
            }
        }

        return result;
    }

    private static int IndexOfWord(string s, string word) => s.IndexOf(word, StringComparison.Ordinal);

    private static HashSet<string> ParseSet(string text)
    {
        var t = text.Trim();
        if (!t.StartsWith('(') || !t.EndsWith(')'))
        {
            throw new FormatException($"expected a parenthesised set: {text}");
        }

        return [.. t[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    parts.Add(text[start..i]);
                    start = i + 1;
                    break;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }
}

/// <summary>A parsed field selector (<c>metadata.name=x</c>, <c>involvedObject.name=x</c>, <c>a.b!=c</c>), comma-separated.</summary>
public sealed class FieldSelector
{
    private readonly List<(string[] Path, string Value, bool Equal)> _terms = [];

    /// <summary>Parses a field selector.</summary>
    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ne = raw.IndexOf("!=", StringComparison.Ordinal);
            if (ne > 0)
            {
                selector._terms.Add((raw[..ne].Split('.'), raw[(ne + 2)..], false));
                continue;
            }

            var eq = raw.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"invalid field selector: {raw}");
            }

            selector._terms.Add((raw[..eq].Split('.'), raw[(eq + 1)..].TrimStart('='), true));
        }

        return selector;
    }

    /// <summary>The value required for <c>metadata.name</c>, when the selector pins one.</summary>
    public string? Name => _terms.FirstOrDefault(t => t.Equal && t.Path is ["metadata", "name"]).Value;

    /// <summary>Whether the object matches.</summary>
    public bool Matches(JsonNode obj)
    {
        foreach (var (path, value, equal) in _terms)
        {
            JsonNode? node = obj;
            foreach (var segment in path)
            {
                node = node is JsonObject o ? o[segment] : null;
            }

            var actual = node is JsonValue jv ? jv.ToString() : "";
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }
}
