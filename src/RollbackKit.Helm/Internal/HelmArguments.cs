using System.Globalization;

namespace RollbackKit.Helm.Internal;

/// <summary>Where a helm command points: kubeconfig, context and namespace, always passed explicitly.</summary>
internal sealed record HelmConnection(string Namespace, string? KubeConfig, string? KubeContext);

/// <summary>Flags of a rollback.</summary>
internal sealed record HelmRollbackFlags
{
    public bool Wait { get; init; } = true;

    /// <summary>helm 4 wait strategy (<c>watcher</c> or <c>legacy</c>).</summary>
    public string WaitStrategy { get; init; } = "watcher";

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    public bool CleanupOnFail { get; init; }

    public bool NoHooks { get; init; }

    public bool Force { get; init; }
}

/// <summary>Builds helm argument lists; the flags that differ between helm 3 and helm 4 are chosen here.</summary>
internal static class HelmArguments
{
    public static readonly string[] Version = ["version", "--template", "{{.Version}}"];

    public static readonly string[] VersionShort = ["version", "--short"];

    public static bool IsValidWaitStrategy(string? strategy) =>
        string.Equals(strategy, "watcher", StringComparison.Ordinal) || string.Equals(strategy, "legacy", StringComparison.Ordinal);

    public static List<string> History(string release, HelmConnection connection)
    {
        var args = new List<string> { "history", release, "--output", "json", "--max", "256" };
        AddConnection(args, connection);
        return args;
    }

    public static List<string> Status(string release, HelmConnection connection)
    {
        var args = new List<string> { "status", release, "--output", "json" };
        AddConnection(args, connection);
        return args;
    }

    public static List<string> Rollback(string release, int revision, HelmRollbackFlags flags, HelmVersion version, HelmConnection connection)
    {
        var args = new List<string> { "rollback", release, revision.ToString(CultureInfo.InvariantCulture) };
        if (flags.Wait)
        {
            // helm 3: boolean --wait. helm 4: --wait takes a strategy (watcher, legacy, hookOnly; default hookOnly = no waiting).
            args.Add(version.IsHelm4OrLater ? "--wait=" + flags.WaitStrategy : "--wait");
        }

        args.Add("--timeout");
        args.Add(FormatDuration(flags.Timeout));
        if (flags.CleanupOnFail)
        {
            args.Add("--cleanup-on-fail");
        }

        if (flags.NoHooks)
        {
            args.Add("--no-hooks");
        }

        if (flags.Force)
        {
            // helm 4 renamed --force to --force-replace, which it refuses together with server-side apply (its
            // default for releases installed by helm 4): replacing objects means a client-side update.
            if (version.IsHelm4OrLater)
            {
                args.Add("--force-replace");
                args.Add("--server-side=false");
            }
            else
            {
                args.Add("--force");
            }
        }

        AddConnection(args, connection);
        return args;
    }

    /// <summary>Formats a duration the way Go's <c>time.ParseDuration</c> reads it (<c>300s</c>, <c>1500ms</c>).</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        var milliseconds = (long)Math.Ceiling(duration.TotalMilliseconds);
        return milliseconds % 1000 == 0
            ? (milliseconds / 1000).ToString(CultureInfo.InvariantCulture) + "s"
            : milliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    private static void AddConnection(List<string> args, HelmConnection connection)
    {
        args.Add("--namespace");
        args.Add(connection.Namespace);
        if (!string.IsNullOrEmpty(connection.KubeConfig))
        {
            args.Add("--kubeconfig");
            args.Add(connection.KubeConfig);
        }

        if (!string.IsNullOrEmpty(connection.KubeContext))
        {
            args.Add("--kube-context");
            args.Add(connection.KubeContext);
        }
    }
}
