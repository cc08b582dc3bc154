using Microsoft.Extensions.Options;

namespace RollbackKit.Helm.Internal;

/// <summary>Validates <see cref="HelmOptions"/> at start; every message names the configuration key.</summary>
/// <param name="keyPath">The key path the options bind from, for example <c>RollbackKit:Helm</c>.</param>
internal sealed class HelmOptionsValidator(string keyPath) : IValidateOptions<HelmOptions>
{
    private readonly string _prefix = keyPath + ":";

    public ValidateOptionsResult Validate(string? name, HelmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.HelmPath))
        {
            failures.Add($"{_prefix}{nameof(HelmOptions.HelmPath)}: required (path of the helm binary, or 'helm' to use PATH)");
        }
        else if (HelmExecutable.Resolve(options.HelmPath) is null)
        {
            failures.Add(HelmExecutable.LooksLikePath(options.HelmPath)
                ? $"{_prefix}{nameof(HelmOptions.HelmPath)}: helm binary not found at '{options.HelmPath}'"
                : $"{_prefix}{nameof(HelmOptions.HelmPath)}: helm binary '{options.HelmPath}' not found on PATH");
        }

        if (!string.IsNullOrEmpty(options.KubeConfig) && !File.Exists(options.KubeConfig))
        {
            failures.Add($"{_prefix}{nameof(HelmOptions.KubeConfig)}: kubeconfig file not found at '{options.KubeConfig}'");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add($"{_prefix}{nameof(HelmOptions.Timeout)}: must be positive, got '{options.Timeout}'");
        }

        if (options.CommandTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{_prefix}{nameof(HelmOptions.CommandTimeout)}: must be positive, got '{options.CommandTimeout}'");
        }

        if (options.KillGracePeriod < TimeSpan.Zero)
        {
            failures.Add($"{_prefix}{nameof(HelmOptions.KillGracePeriod)}: must not be negative, got '{options.KillGracePeriod}'");
        }

        if (!HelmArguments.IsValidWaitStrategy(options.WaitStrategy))
        {
            failures.Add($"{_prefix}{nameof(HelmOptions.WaitStrategy)}: must be 'watcher' or 'legacy', got '{options.WaitStrategy}'");
        }

        if (options.MaxOutputChars < 1024)
        {
            failures.Add($"{_prefix}{nameof(HelmOptions.MaxOutputChars)}: must be at least 1024, got {options.MaxOutputChars}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Finds the helm binary.</summary>
internal static class HelmExecutable
{
    public static bool LooksLikePath(string helmPath) =>
        helmPath.Contains('/', StringComparison.Ordinal) || helmPath.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Returns the full path of the binary, or <see langword="null"/> when there is no such file.</summary>
    public static string? Resolve(string helmPath)
    {
        if (string.IsNullOrWhiteSpace(helmPath))
        {
            return null;
        }

        if (LooksLikePath(helmPath))
        {
            return File.Exists(helmPath) ? Path.GetFullPath(helmPath) : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, helmPath);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            if (OperatingSystem.IsWindows() && File.Exists(candidate + ".exe"))
            {
                return candidate + ".exe";
            }
        }

        return null;
    }
}
