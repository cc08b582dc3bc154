using System.Globalization;
using System.Text;

namespace RollbackKit.Cli.Planning;

/// <summary>Short duration text for tables and reports: <c>1h5m</c>, <c>2m30s</c>, <c>1.25s</c>, <c>40ms</c>.</summary>
internal static class Durations
{
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            return "-" + Format(value.Negate());
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return ((long)Math.Round(value.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        if (value < TimeSpan.FromMinutes(1))
        {
            return Math.Round(value.TotalSeconds, 2).ToString("0.##", CultureInfo.InvariantCulture) + "s";
        }

        var text = new StringBuilder();
        if ((int)value.TotalDays > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(int)value.TotalDays}d");
        }

        if (value.Hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Hours}h");
        }

        if (value.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Minutes}m");
        }

        if (value.Seconds > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Seconds}s");
        }

        return text.ToString();
    }
}
