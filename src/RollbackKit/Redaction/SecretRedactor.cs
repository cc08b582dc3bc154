using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace RollbackKit.Redaction;

/// <summary>
/// The one redactor applied to the journal, the evidence bundle and the logs. It masks with <see cref="Mask"/>: every
/// configured secret value (see <see cref="ISecretValueSource"/>), values after <c>--*token*</c>, <c>--*password*</c> and
/// <c>--*secret*</c> flags (<c>--flag value</c> and <c>--flag=value</c>), <c>Authorization</c>/<c>Proxy-Authorization</c>
/// header values, <c>Bearer</c>/<c>Basic</c> credentials, URL user-info, query parameters named like a token, password,
/// secret, key or signature, and <c>password=…</c>-style assignments.
/// </summary>
public sealed partial class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    /// <summary>Configured values shorter than this are not masked (they would mask ordinary words).</summary>
    public const int MinimumSecretLength = 4;

    private static readonly SearchValues<char> s_needsQuoting = SearchValues.Create(" \t\"'\\$`;&|<>()!#~");
    private static readonly SearchValues<char> s_credentialChars = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-._~+/=");
    private static readonly string[] s_setFlags = ["--set", "--set-string", "--set-json", "--set-file", "--set-literal"];

    private readonly string[] _secrets;

    /// <summary>Creates a redactor that masks <paramref name="secretValues"/> besides the patterns.</summary>
    /// <param name="secretValues">Configured secret values; <see langword="null"/>, blank and values shorter than <see cref="MinimumSecretLength"/> are ignored.</param>
    public SecretRedactor(IEnumerable<string?> secretValues)
    {
        ArgumentNullException.ThrowIfNull(secretValues);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in secretValues)
        {
            if (value is null || value.Length < MinimumSecretLength || string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            set.Add(value);
            var escaped = Uri.EscapeDataString(value);
            if (escaped.Length > value.Length)
            {
                set.Add(escaped);
            }
        }

        // Longest first, so a secret that contains another is masked whole.
        _secrets = [.. set.OrderByDescending(static s => s.Length).ThenBy(static s => s, StringComparer.Ordinal)];
    }

    /// <summary>A redactor with the patterns only (no configured values).</summary>
    public static SecretRedactor Patterns { get; } = new([]);

    /// <summary>How many configured values (and their URL-escaped forms) are masked.</summary>
    public int SecretValueCount => _secrets.Length;

    /// <summary>Returns <paramref name="text"/> with every secret masked.</summary>
    /// <param name="text">Free text: a message, an error, a command line, a file's content.</param>
    /// <returns>The redacted text (the same instance when nothing was masked).</returns>
    [return: NotNullIfNotNull(nameof(text))]
    public string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        text = MaskConfigured(text);
        text = UserInfo().Replace(text, "${scheme}" + Mask + "@");
        text = SecretQueryParameter().Replace(text, "${name}=" + Mask);
        text = SecretFlag().Replace(text, "${flag}${sep}" + Mask);
        text = AuthorizationHeader().Replace(text, static m => m.Groups["name"].Value + (m.Groups["scheme"].Success ? m.Groups["scheme"].Value + " " : string.Empty) + Mask);
        text = SchemeCredential().Replace(text, static m =>
            m.Groups["value"].ValueSpan[1..].IndexOfAny(s_credentialChars) >= 0 ? m.Groups["scheme"].Value + " " + Mask : m.Value);
        text = SecretAssignment().Replace(text, static m =>
        {
            var value = m.Groups["value"].Value;
            var quoted = value.Length >= 2 && value[0] == '"' && value[^1] == '"';
            return m.Groups["key"].Value + (quoted ? "\"" + Mask + "\"" : Mask);
        });

        // Masking can join text around a secret; mask configured values once more.
        return MaskConfigured(text);
    }

    /// <summary>Returns the arguments of a command with secret values masked: the value after a secret flag, the values of <c>--set</c>-style <c>key=value</c> lists, and anything <see cref="Redact"/> masks.</summary>
    /// <param name="arguments">The arguments, one per element, as passed to the program.</param>
    /// <returns>The redacted arguments, as many as given.</returns>
    public IReadOnlyList<string> RedactArguments(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var result = new List<string>(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var equals = argument.StartsWith("--", StringComparison.Ordinal) ? argument.IndexOf('=', StringComparison.Ordinal) : -1;
            var flag = equals > 0 ? argument[..equals] : argument;
            var kind = Classify(flag);
            if (kind == FlagKind.Plain)
            {
                result.Add(Redact(argument));
            }
            else if (equals > 0)
            {
                result.Add(flag + "=" + RedactValue(kind, argument[(equals + 1)..]));
            }
            else
            {
                result.Add(argument);
                if (i + 1 < arguments.Count && !(kind == FlagKind.Secret && arguments[i + 1].StartsWith("--", StringComparison.Ordinal)))
                {
                    i++;
                    result.Add(RedactValue(kind, arguments[i]));
                }
            }
        }

        return result;
    }

    /// <summary>Returns a printable command line (the program's file name, then the arguments quoted for a POSIX shell) with secrets masked.</summary>
    /// <param name="program">The program's path.</param>
    /// <param name="arguments">The arguments after the program.</param>
    /// <returns>The redacted command line.</returns>
    public string FormatCommand(string program, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(program);
        var text = new StringBuilder(program.Length + (arguments.Count * 12));
        text.Append(Redact(Path.GetFileName(program)));
        foreach (var argument in RedactArguments(arguments))
        {
            text.Append(' ').Append(Quote(argument));
        }

        return text.ToString();
    }

    private string MaskConfigured(string text)
    {
        foreach (var secret in _secrets)
        {
            // Replacing shortens the text, so this ends; repeated because a replacement can form a new occurrence.
            while (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    private string RedactValue(FlagKind kind, string value)
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
            parts[i] = eq >= 0 ? Redact(parts[i][..(eq + 1)]) + Mask : Mask;
        }

        return string.Join(',', parts);
    }

    private static FlagKind Classify(string flag)
    {
        if (!flag.StartsWith("--", StringComparison.Ordinal))
        {
            return FlagKind.Plain;
        }

        foreach (var set in s_setFlags)
        {
            if (string.Equals(flag, set, StringComparison.Ordinal))
            {
                return FlagKind.KeyValues;
            }
        }

        return string.Equals(flag, "--pass", StringComparison.OrdinalIgnoreCase) || SecretFlagName().IsMatch(flag) ? FlagKind.Secret : FlagKind.Plain;
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.AsSpan().IndexOfAny(s_needsQuoting) < 0
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"\A--[A-Za-z0-9_.\-]*(?:token|password|passwd|secret)[A-Za-z0-9_.\-]*\z", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex SecretFlagName();

    /// <summary><c>--kube-token value</c>, <c>--DB-PASSWORD=value</c>, <c>--client-secret "a b"</c>; a following flag is not a value.</summary>
    [GeneratedRegex(
        """(?<flag>(?<![A-Za-z0-9_\-])--[A-Za-z0-9_.\-]*(?:token|password|passwd|secret)[A-Za-z0-9_.\-]*)(?<sep>=|[ \t]+)(?!--|\*\*\*)(?<value>"[^"\r\n]*"|'[^'\r\n]*'|[^\s"',;]+)""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        matchTimeoutMilliseconds: 2000)]
    private static partial Regex SecretFlag();

    /// <summary><c>scheme://user:password@host</c> and <c>scheme://token@host</c>.</summary>
    [GeneratedRegex(@"(?<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@?#""']+@", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex UserInfo();

    /// <summary><c>?access_token=…</c>, <c>&amp;X-Amz-Signature=…</c>, <c>&amp;api_key=…</c>.</summary>
    [GeneratedRegex(
        """(?<=[?&])(?<name>[A-Za-z0-9_.\-]*(?:token|password|passwd|secret|key|signature|sig)[A-Za-z0-9_.\-]*)=(?<value>[^&#\s"']*)""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        matchTimeoutMilliseconds: 2000)]
    private static partial Regex SecretQueryParameter();

    /// <summary><c>Authorization: Bearer x</c>, <c>"Proxy-Authorization": "Basic x"</c>, <c>authorization=x</c>.</summary>
    [GeneratedRegex(
        """(?<name>\b(?:Proxy-)?Authorization"?\s*[:=]\s*"?)(?:(?<scheme>[A-Za-z][A-Za-z0-9\-]*)[ \t]+)?(?!\*\*\*)(?<value>[^\s,;"']+)""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        matchTimeoutMilliseconds: 2000)]
    private static partial Regex AuthorizationHeader();

    /// <summary><c>Bearer eyJ…</c>, <c>Basic dXNlcjpwYXNz</c> in text (a word of 8+ credential characters, not an ordinary word).</summary>
    [GeneratedRegex(@"(?<scheme>\b(?:Bearer|Basic))[ \t]+(?<value>[A-Za-z0-9\-._~+/]{8,}=*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex SchemeCredential();

    /// <summary><c>password=…</c>, <c>DB_PASSWORD: …</c>, <c>"apiToken": "…"</c>.</summary>
    [GeneratedRegex(
        """(?<key>"?[A-Za-z0-9_.\-]*(?:password|passwd|secret|token|api[_\-]?key|credential)[A-Za-z0-9_.\-]*"?\s*[:=]\s*)(?!\*\*\*)(?<value>"[^"\r\n]*"|[^\s,;&"]+)""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        matchTimeoutMilliseconds: 2000)]
    private static partial Regex SecretAssignment();

    private enum FlagKind
    {
        Plain,
        Secret,
        KeyValues,
    }
}
