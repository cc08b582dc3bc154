using System.Globalization;
using RollbackKit.Internal;

namespace RollbackKit;

/// <summary>
/// Reads durations the way all of RollbackKit's configuration does: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>1d</c>
/// (units <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>, decimals allowed) or <see cref="TimeSpan"/> text such as
/// <c>00:05:00</c>. Step types use it for their duration settings, so a duration reads alike under every key.
/// </summary>
public static class RollbackKitDuration
{
    /// <summary>The accepted forms, for error messages: "a duration such as 500ms, 30s, 5m, 1h30m, 1d or 00:05:00".</summary>
    public const string Expected = DurationParser.Expected;

    /// <summary>Reads a duration.</summary>
    /// <param name="text">The text, for example <c>1h30m</c> or <c>00:01:30</c>; surrounding white space is ignored.</param>
    /// <param name="value">The duration, when the text is one (it may be negative: <c>-5m</c>).</param>
    /// <returns>Whether <paramref name="text"/> is a duration.</returns>
    public static bool TryParse(string? text, out TimeSpan value) => DurationParser.TryParse(text, out value);

    /// <summary>
    /// Writes a duration the way configuration does (<c>3s</c>, <c>1h30m</c>, <c>1d2h</c>, <c>250ms</c>, <c>-5m</c>, <c>0s</c>),
    /// so that messages and reports show durations as users write them. <see cref="Parse"/> reads the text back to the same
    /// value. A duration with a fraction of a millisecond is written as <see cref="TimeSpan"/> text (<c>00:00:00.0001500</c>).
    /// </summary>
    /// <param name="value">The duration.</param>
    /// <returns>The text.</returns>
    public static string Format(TimeSpan value)
    {
        if (value.Ticks % TimeSpan.TicksPerMillisecond != 0 || value == TimeSpan.MinValue)
        {
            return value.ToString("c", CultureInfo.InvariantCulture);
        }

        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new System.Text.StringBuilder(16);
        if (value < TimeSpan.Zero)
        {
            text.Append('-');
            value = value.Negate();
        }

        Append(text, value.Days, "d");
        Append(text, value.Hours, "h");
        Append(text, value.Minutes, "m");
        Append(text, value.Seconds, "s");
        Append(text, value.Milliseconds, "ms");
        return text.ToString();

        static void Append(System.Text.StringBuilder text, int amount, string unit)
        {
            if (amount != 0)
            {
                text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
            }
        }
    }

    /// <summary>Reads a duration.</summary>
    /// <param name="text">The text, for example <c>1h30m</c> or <c>00:01:30</c>.</param>
    /// <returns>The duration.</returns>
    /// <exception cref="FormatException"><paramref name="text"/> is not a duration; the message quotes it.</exception>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is not {Expected}."));
}
