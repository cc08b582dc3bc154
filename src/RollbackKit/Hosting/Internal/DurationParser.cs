using System.Globalization;

namespace RollbackKit.Internal;

/// <summary>
/// Parses the durations configuration accepts: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>1d</c> (units <c>ms</c>, <c>s</c>,
/// <c>m</c>, <c>h</c>, <c>d</c>, combined largest first or in any order, an optional leading <c>-</c>, decimals allowed), and
/// <see cref="TimeSpan"/> text such as <c>00:05:00</c> or <c>1.00:00:00</c>.
/// </summary>
internal static class DurationParser
{
    /// <summary>Describes the accepted forms, for error messages.</summary>
    public const string Expected = "a duration such as 500ms, 30s, 5m, 1h30m, 1d or 00:05:00";

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.AsSpan().Trim();
        if (s.Contains(':') || s.Contains('.') && !ContainsUnit(s))
        {
            return TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out value);
        }

        var negative = false;
        if (s[0] == '-')
        {
            negative = true;
            s = s[1..];
        }

        if (s.IsEmpty)
        {
            return false;
        }

        double totalMs = 0;
        while (!s.IsEmpty)
        {
            var n = 0;
            while (n < s.Length && (char.IsAsciiDigit(s[n]) || s[n] == '.'))
            {
                n++;
            }

            if (n == 0 || !double.TryParse(s[..n], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            s = s[n..];
            var u = 0;
            while (u < s.Length && char.IsAsciiLetter(s[u]))
            {
                u++;
            }

            double unitMs;
            switch (s[..u])
            {
                case "ms": unitMs = 1; break;
                case "s": unitMs = 1000; break;
                case "m": unitMs = 60_000; break;
                case "h": unitMs = 3_600_000; break;
                case "d": unitMs = 86_400_000; break;
                default: return false;
            }

            s = s[u..];
            totalMs += number * unitMs;
        }

        if (totalMs > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(negative ? -totalMs : totalMs);
        return true;
    }

    private static bool ContainsUnit(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (char.IsAsciiLetter(c))
            {
                return true;
            }
        }

        return false;
    }
}
