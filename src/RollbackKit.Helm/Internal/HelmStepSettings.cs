using System.Globalization;
using System.Text.RegularExpressions;
using RollbackKit.Playbooks;

namespace RollbackKit.Helm.Internal;

/// <summary>A Helm step's <see cref="PlaybookStepDefinition.Settings"/>, parsed and checked when the step is created.</summary>
internal sealed partial class HelmStepSettings
{
    public static readonly string[] CommonKeys = ["release", "namespace", "kubeconfig", "kubeContext"];

    public static readonly string[] RollbackKeys =
        [.. CommonKeys, "revision", "wait", "waitStrategy", "timeout", "cleanupOnFail", "noHooks", "force", "allowPending"];

    public string? Release { get; private init; }

    public string? Namespace { get; private init; }

    public string? KubeConfig { get; private init; }

    public string? KubeContext { get; private init; }

    public int? Revision { get; private init; }

    public bool Wait { get; private init; } = true;

    public string? WaitStrategy { get; private init; }

    public TimeSpan? Timeout { get; private init; }

    public bool CleanupOnFail { get; private init; }

    public bool NoHooks { get; private init; }

    public bool Force { get; private init; }

    public bool AllowPending { get; private init; }

    /// <summary>Whether <paramref name="name"/> is a valid release name or namespace (lower-case DNS label characters, at most 53 or 63).</summary>
    public static bool IsValidName(string name, int maxLength) =>
        name.Length > 0 && name.Length <= maxLength && NamePattern().IsMatch(name);

    /// <exception cref="PlaybookConfigurationException">A setting is unknown or invalid.</exception>
    public static HelmStepSettings Parse(PlaybookStepDefinition definition, IReadOnlyList<string> allowedKeys)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var settings = new Dictionary<string, string>(definition.Settings ?? [], StringComparer.OrdinalIgnoreCase);
        foreach (var key in settings.Keys)
        {
            if (!allowedKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw new PlaybookConfigurationException(key, $"unknown setting for {definition.Type}; known settings: {string.Join(", ", allowedKeys)}");
            }
        }

        var release = Optional(settings, "release");
        if (release is not null && !IsValidName(release, 53))
        {
            throw new PlaybookConfigurationException("release", $"'{release}' is not a valid helm release name (lower-case letters, digits, '-' and '.', at most 53 characters)");
        }

        var ns = Optional(settings, "namespace");
        if (ns is not null && !IsValidName(ns, 63))
        {
            throw new PlaybookConfigurationException("namespace", $"'{ns}' is not a valid namespace");
        }

        int? revision = null;
        if (Optional(settings, "revision") is { } revisionText)
        {
            if (!int.TryParse(revisionText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
            {
                throw new PlaybookConfigurationException("revision", $"must be a positive revision number, got '{revisionText}'");
            }

            revision = parsed;
        }

        var waitStrategy = Optional(settings, "waitStrategy");
        if (waitStrategy is not null && !HelmArguments.IsValidWaitStrategy(waitStrategy))
        {
            throw new PlaybookConfigurationException("waitStrategy", $"must be 'watcher' or 'legacy', got '{waitStrategy}'");
        }

        TimeSpan? timeout = null;
        if (Optional(settings, "timeout") is { } timeoutText)
        {
            if (!RollbackKitDuration.TryParse(timeoutText, out var parsed) || parsed <= TimeSpan.Zero)
            {
                throw new PlaybookConfigurationException("timeout", $"must be a positive duration ({RollbackKitDuration.Expected}), got '{timeoutText}'");
            }

            if (parsed >= definition.Timeout)
            {
                throw new PlaybookConfigurationException("timeout", $"helm's timeout ({timeoutText}) must be shorter than the step's Timeout ({definition.Timeout:c}) so helm can report its own failure");
            }

            timeout = parsed;
        }

        var kubeconfig = Optional(settings, "kubeconfig");
        if (kubeconfig is not null && !File.Exists(kubeconfig))
        {
            throw new PlaybookConfigurationException("kubeconfig", $"kubeconfig file not found at '{kubeconfig}'");
        }

        return new HelmStepSettings
        {
            Release = release,
            Namespace = ns,
            KubeConfig = kubeconfig,
            KubeContext = Optional(settings, "kubeContext"),
            Revision = revision,
            Wait = Bool(settings, "wait", true),
            WaitStrategy = waitStrategy,
            Timeout = timeout,
            CleanupOnFail = Bool(settings, "cleanupOnFail", false),
            NoHooks = Bool(settings, "noHooks", false),
            Force = Bool(settings, "force", false),
            AllowPending = Bool(settings, "allowPending", false),
        };
    }

    private static string? Optional(Dictionary<string, string> settings, string key) =>
        settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static bool Bool(Dictionary<string, string> settings, string key, bool defaultValue)
    {
        if (Optional(settings, key) is not { } text)
        {
            return defaultValue;
        }

        return bool.TryParse(text, out var value)
            ? value
            : throw new PlaybookConfigurationException(key, $"must be true or false, got '{text}'");
    }

    [GeneratedRegex(@"\A[a-z0-9]([-a-z0-9.]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
