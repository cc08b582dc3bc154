using System.Globalization;

namespace RollbackKit.Health.Internal;

/// <summary>How health check descriptions and data write times and durations (invariant, stable for parsers).</summary>
internal static class HealthText
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan duration) => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s");
}
