namespace RollbackKit.Playbooks;

internal static class StepSettings
{
    public static string? Get(PlaybookStepDefinition definition, string name) =>
        definition.Settings.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    public static string Require(PlaybookStepDefinition definition, string name) =>
        Get(definition, name) ?? throw new PlaybookConfigurationException(name, "is required.");

    /// <summary>Reads a duration setting (<c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>1d</c>, <c>00:00:30</c>; see <see cref="RollbackKitDuration"/>).</summary>
    /// <exception cref="PlaybookConfigurationException">The text is not a duration, is negative, or is zero when <paramref name="allowZero"/> is false; the message names the setting and the value.</exception>
    public static TimeSpan ParseDuration(string setting, string text, bool allowZero = true)
    {
        if (!RollbackKitDuration.TryParse(text, out var value))
        {
            throw new PlaybookConfigurationException(setting, $"'{text}' is not {RollbackKitDuration.Expected}.");
        }

        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            throw new PlaybookConfigurationException(setting, $"'{text}' must be {(allowZero ? "zero or positive" : "greater than zero")}.");
        }

        return value;
    }

    public static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "\n[truncated]");
}
