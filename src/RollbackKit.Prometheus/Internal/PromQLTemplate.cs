using System.Globalization;
using System.Text;

namespace RollbackKit.Prometheus.Internal;

/// <summary>
/// Fills <c>{{label}}</c> placeholders in a PromQL template so that a value can never change the query's structure:
/// inside a double- or single-quoted string the value is escaped as a PromQL string (quotes, backslashes, control
/// characters); anywhere else (including raw back-quoted strings) it must be a single plain token such as <c>5m</c>.
/// </summary>
internal static class PromQLTemplate
{
    /// <summary>Renders <paramref name="template"/>. Throws <see cref="FormatException"/> for a missing or unsafe value.</summary>
    public static string Render(string template, Func<string, string?> resolve)
    {
        var builder = new StringBuilder(template.Length + 32);
        var quote = '\0';
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{' && TryReadPlaceholder(template, i, out var end, out var name))
            {
                var value = resolve(name) ?? throw new FormatException($"no value for placeholder '{{{{{name}}}}}'");
                if (quote is '"' or '\'')
                {
                    AppendEscaped(builder, value, quote);
                }
                else if (IsPlainToken(value))
                {
                    builder.Append(value);
                }
                else
                {
                    throw new FormatException($"placeholder '{{{{{name}}}}}' is used outside a quoted string, so its value must be a plain token (letters, digits, '_', ':', '.')");
                }

                i = end;
                continue;
            }

            builder.Append(c);
            if (quote == '\0')
            {
                if (c is '"' or '\'' or '`')
                {
                    quote = c;
                }
                else if (c == '#')
                {
                    // A comment runs to the end of the line; placeholders there are left as they are.
                    var newline = template.IndexOf('\n', i + 1);
                    var stop = newline < 0 ? template.Length : newline;
                    builder.Append(template, i + 1, stop - i - 1);
                    i = stop;
                    continue;
                }
            }
            else if (c == '\\' && quote != '`' && i + 1 < template.Length)
            {
                builder.Append(template[i + 1]);
                i += 2;
                continue;
            }
            else if (c == quote)
            {
                quote = '\0';
            }

            i++;
        }

        return builder.ToString();
    }

    /// <summary>Escapes <paramref name="value"/> for use inside a PromQL string literal opened with <paramref name="quote"/>.</summary>
    public static string EscapeLabelValue(string value, char quote = '"')
    {
        var builder = new StringBuilder(value.Length + 8);
        AppendEscaped(builder, value, quote);
        return builder.ToString();
    }

    private static void AppendEscaped(StringBuilder builder, string value, char quote)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                case '\r':
                    builder.Append(@"\r");
                    break;
                case '\t':
                    builder.Append(@"\t");
                    break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(c);
                    }
                    else if (char.IsControl(c))
                    {
                        builder.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }
    }

    private static bool IsPlainToken(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryReadPlaceholder(string template, int start, out int end, out string name)
    {
        var close = template.IndexOf("}}", start + 2, StringComparison.Ordinal);
        end = -1;
        name = string.Empty;
        if (close < 0)
        {
            return false;
        }

        var candidate = template.AsSpan(start + 2, close - start - 2).Trim();
        if (candidate.IsEmpty)
        {
            return false;
        }

        foreach (var c in candidate)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        name = candidate.ToString();
        end = close + 2;
        return true;
    }
}
