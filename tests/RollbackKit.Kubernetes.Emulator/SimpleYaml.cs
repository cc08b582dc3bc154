using System.Globalization;
using System.Text.Json.Nodes;

namespace RollbackKit.Kubernetes.Emulator;

/// <summary>
/// A tiny YAML reader for the block subset that clients send as apply patches: nested mappings, sequences
/// (<c>- item</c>, <c>- key: value</c>), plain/quoted scalars, and JSON-style flow values. Comments and documents markers are skipped.
/// </summary>
public static class SimpleYaml
{
    /// <summary>Parses YAML text to JSON.</summary>
    public static JsonNode? Parse(string yaml)
    {
        var lines = yaml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#') && l.Trim() != "---")
            .ToList();
        var index = 0;
        return lines.Count == 0 ? null : ParseBlock(lines, ref index, Indent(lines[0]));
    }

    private static int Indent(string line) => line.Length - line.TrimStart(' ').Length;

    private static JsonNode? ParseBlock(List<string> lines, ref int index, int indent)
    {
        if (lines[index].TrimStart().StartsWith("- ", StringComparison.Ordinal) || lines[index].Trim() == "-")
        {
            var array = new JsonArray();
            while (index < lines.Count && Indent(lines[index]) == indent && lines[index].TrimStart().StartsWith('-'))
            {
                var content = lines[index].TrimStart()[1..];
                var itemIndent = indent + 1 + (content.Length - content.TrimStart(' ').Length);
                content = content.Trim();
                if (content.Length == 0)
                {
                    index++;
                    array.Add(index < lines.Count && Indent(lines[index]) > indent ? ParseBlock(lines, ref index, Indent(lines[index])) : null);
                }
                else if (IsMappingLine(content))
                {
                    lines[index] = new string(' ', itemIndent) + content;
                    array.Add(ParseBlock(lines, ref index, itemIndent));
                }
                else
                {
                    array.Add(Scalar(content));
                    index++;
                }
            }

            return array;
        }

        var obj = new JsonObject();
        while (index < lines.Count && Indent(lines[index]) == indent && !lines[index].TrimStart().StartsWith("- ", StringComparison.Ordinal))
        {
            var line = lines[index].Trim();
            var colon = KeyEnd(line);
            if (colon < 0)
            {
                throw new FormatException($"unsupported YAML line: {line}");
            }

            var key = Unquote(line[..colon].Trim());
            var rest = line[(colon + 1)..].Trim();
            index++;
            if (rest.Length > 0)
            {
                obj[key] = Scalar(rest);
            }
            else if (index < lines.Count && (Indent(lines[index]) > indent || (Indent(lines[index]) == indent && lines[index].TrimStart().StartsWith("- ", StringComparison.Ordinal))))
            {
                obj[key] = ParseBlock(lines, ref index, Indent(lines[index]));
            }
            else
            {
                obj[key] = null;
            }
        }

        return obj;
    }

    private static bool IsMappingLine(string content) => !content.StartsWith('{') && !content.StartsWith('[') && KeyEnd(content) > 0;

    private static int KeyEnd(string line)
    {
        if (line.StartsWith('"') || line.StartsWith('\''))
        {
            var close = line.IndexOf(line[0], 1);
            return close > 0 && close + 1 < line.Length && line[close + 1] == ':' ? close + 1 : -1;
        }

        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == ':' && (i + 1 == line.Length || line[i + 1] == ' '))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Unquote(string s) =>
        s.Length >= 2 && ((s[0] == '"' && s[^1] == '"') || (s[0] == '\'' && s[^1] == '\''))
            ? s[0] == '"' ? JsonNode.Parse(s)!.GetValue<string>() : s[1..^1].Replace("''", "'", StringComparison.Ordinal)
            : s;

    private static JsonNode? Scalar(string text)
    {
        if (text.StartsWith('{') || text.StartsWith('['))
        {
            return JsonNode.Parse(text);
        }

        if (text.StartsWith('"') || text.StartsWith('\''))
        {
            return JsonValue.Create(Unquote(text));
        }

        var hash = text.IndexOf(" #", StringComparison.Ordinal);
        if (hash > 0)
        {
            text = text[..hash].TrimEnd();
        }

        return text switch
        {
            "null" or "~" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && text.Contains('.', StringComparison.Ordinal) => JsonValue.Create(d),
            _ => JsonValue.Create(text),
        };
    }
}
