using System.Text;
using System.Text.RegularExpressions;

namespace RollbackKit.Helm.Internal;

/// <summary>Removes secrets from command lines and command output before they are logged or put in the evidence bundle.</summary>
internal static partial class SecretRedactor
{
    public const string Mask = "***";

    private static readonly System.Buffers.SearchValues<char> s_needsQuoting = System.Buffers.SearchValues.Create(" \t\"'\\$`;&|<>()!#~");

    /// <summary>Flags whose value is redacted whole (bearer tokens, passwords).</summary>
    private static readonly string[] s_secretFlags = ["--kube-token", "--token", "--password", "--pass", "--client-secret"];

    /// <summary>Flags whose value is a <c>key=value[,key=value]</c> list: keys are kept, values redacted.</summary>
    private static readonly string[] s_setFlags = ["--set", "--set-string", "--set-json", "--set-file", "--set-literal"];

    /// <summary>Returns a printable command line with secret argument values masked.</summary>
    public static string FormatCommand(string program, IReadOnlyList<string> arguments)
    {
        var text = new StringBuilder(program.Length + (arguments.Count * 12));
        text.Append(Path.GetFileName(program));
        var redacted = RedactArguments(arguments);
        foreach (var argument in redacted)
        {
            text.Append(' ');
            text.Append(Quote(argument));
        }

        return text.ToString();
    }

    /// <summary>Returns the arguments with secret values masked.</summary>
    public static List<string> RedactArguments(IReadOnlyList<string> arguments)
    {
        var result = new List<string>(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var equals = argument.StartsWith("--", StringComparison.Ordinal) ? argument.IndexOf('=', StringComparison.Ordinal) : -1;
            var flag = equals > 0 ? argument[..equals] : argument;
            var kind = Classify(flag);
            if (kind == FlagKind.Plain)
            {
                result.Add(RedactText(argument));
                continue;
            }

            if (equals > 0)
            {
                result.Add(flag + "=" + RedactValue(kind, argument[(equals + 1)..]));
            }
            else
            {
                result.Add(argument);
                if (i + 1 < arguments.Count)
                {
                    i++;
                    result.Add(RedactValue(kind, arguments[i]));
                }
            }
        }

        return result;
    }

    /// <summary>Masks values that look like secrets in free text: <c>password=…</c>, <c>"token": "…"</c>, <c>Bearer …</c>.</summary>
    public static string RedactText(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        text = SecretAssignment().Replace(text, static m =>
        {
            var value = m.Groups["value"].Value;
            var quoted = value.Length >= 2 && value[0] == '"' && value[^1] == '"';
            return m.Groups["key"].Value + (quoted ? "\"" + Mask + "\"" : Mask);
        });
        return BearerToken().Replace(text, "${scheme} " + Mask);
    }

    private static string RedactValue(FlagKind kind, string value)
    {
        if (kind == FlagKind.Secret)
        {
            return Mask;
        }

        // key=value,key2=value2 -> key=***,key2=***
        var parts = value.Split(',');
        for (var i = 0; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=', StringComparison.Ordinal);
            parts[i] = eq >= 0 ? parts[i][..(eq + 1)] + Mask : Mask;
        }

        return string.Join(',', parts);
    }

    private static FlagKind Classify(string flag)
    {
        foreach (var secret in s_secretFlags)
        {
            if (string.Equals(flag, secret, StringComparison.Ordinal))
            {
                return FlagKind.Secret;
            }
        }

        foreach (var set in s_setFlags)
        {
            if (string.Equals(flag, set, StringComparison.Ordinal))
            {
                return FlagKind.KeyValues;
            }
        }

        return FlagKind.Plain;
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.AsSpan().IndexOfAny(s_needsQuoting) < 0
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(
        """(?<key>"?[A-Za-z0-9_.\-]*(?:password|passwd|secret|token|api[_\-]?key|credential)[A-Za-z0-9_.\-]*"?\s*[:=]\s*)(?<value>"[^"\r\n]*"|[^\s,;&"]+)""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        matchTimeoutMilliseconds: 2000)]
    private static partial Regex SecretAssignment();

    [GeneratedRegex(@"(?<scheme>\b(?:Bearer|Basic))\s+[A-Za-z0-9\-._~+/]+=*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex BearerToken();

    private enum FlagKind
    {
        Plain,
        Secret,
        KeyValues,
    }
}
