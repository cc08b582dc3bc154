using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace RollbackKit.Cli.Operations;

/// <summary>A <c>--since</c> value: the text as given (sent to the server as is) and the instant it means here.</summary>
/// <param name="Text">The text given: a duration back from now (<c>30d</c>, <c>12h</c>, <c>90m</c>) or an ISO-8601 time.</param>
/// <param name="At">The instant, for offline queries.</param>
internal sealed record Since(string Text, DateTimeOffset At)
{
    /// <summary>Creates the <c>--since</c> option.</summary>
    public static Option<Since?> CreateOption(string description) => new("--since")
    {
        Description = description + " A duration back from now (30d, 12h, 90m) or an ISO-8601 time with a zone (2026-12-01T10:00:00Z).",
        CustomParser = static result => Parse(result, TimeProvider.System.GetUtcNow()),
    };

    /// <summary>Parses <paramref name="text"/> as of <paramref name="now"/>; <see langword="null"/> when it is neither form.</summary>
    public static Since? TryParse(string text, DateTimeOffset now)
    {
        var trimmed = text.Trim();
        if (RollbackKitDuration.TryParse(trimmed, out var back) && back > TimeSpan.Zero)
        {
            return new Since(trimmed, now - back);
        }

        if (trimmed.Length > 10 && trimmed.Contains('T', StringComparison.OrdinalIgnoreCase) && HasZone(trimmed)
            && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var at))
        {
            return new Since(trimmed, at.ToUniversalTime());
        }

        return null;
    }

    private static Since? Parse(ArgumentResult result, DateTimeOffset now)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (TryParse(text, now) is { } since)
        {
            return since;
        }

        result.AddError($"--since: '{text}' is neither a positive duration ({RollbackKitDuration.Expected}) nor an ISO-8601 time with a zone such as 2026-12-01T10:00:00Z.");
        return null;
    }

    private static bool HasZone(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
}
