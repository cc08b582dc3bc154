using System.Globalization;

namespace RollbackKit.Playbooks;

internal static class StepSettings
{
    public static string? Get(PlaybookStepDefinition definition, string name) =>
        definition.Settings.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    public static string Require(PlaybookStepDefinition definition, string name) =>
        Get(definition, name) ?? throw new PlaybookConfigurationException(name, "is required.");

    public static TimeSpan ParseDuration(string setting, string text)
    {
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero)
        {
            return value;
        }

        if (text.Length > 1 && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= 0)
        {
            switch (text[^1])
            {
                case 's': return TimeSpan.FromSeconds(number);
                case 'm': return TimeSpan.FromMinutes(number);
                case 'h': return TimeSpan.FromHours(number);
            }
        }

        throw new PlaybookConfigurationException(setting, $"'{text}' is not a duration (use 00:00:30, 30s, 5m or 1h).");
    }

    public static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "\n[truncated]");
}
