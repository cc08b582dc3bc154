using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RollbackKit.Redaction;

namespace RollbackKit.Helm.Internal;

/// <summary>One finished helm command: the redacted command line and what it printed (redacted).</summary>
internal sealed record HelmCommandResult(string CommandLine, ProcessRunResult Process)
{
    public bool Succeeded => Process.Succeeded;

    /// <summary>Redacted standard output.</summary>
    public string StandardOutput => SecretRedactor.Patterns.Redact(Process.StandardOutput);

    /// <summary>Redacted standard error.</summary>
    public string StandardError => SecretRedactor.Patterns.Redact(Process.StandardError);

    /// <summary>helm's error text (stderr, else stdout), redacted and shortened for a step message.</summary>
    public string ErrorText
    {
        get
        {
            var text = StandardError.Trim();
            if (text.Length == 0)
            {
                text = StandardOutput.Trim();
            }

            if (text.Length == 0)
            {
                text = "(no output)";
            }

            return text.Length > 2000 ? text[..2000] + " …" : text;
        }
    }

    /// <summary>Why the command did not succeed, for a step message.</summary>
    public string DescribeFailure(string what) => Process.Outcome switch
    {
        ProcessOutcome.TimedOut => $"{what} timed out after {Process.Duration.TotalSeconds:0.#}s; its process tree was killed. Output: {ErrorText}",
        ProcessOutcome.Cancelled => $"{what} was cancelled; its process tree was killed",
        _ => $"{what} failed with exit code {Process.ExitCode}: {ErrorText}",
    };

    /// <summary>A text record of the run for the evidence bundle.</summary>
    public string ToEvidence()
    {
        var text = new StringBuilder();
        text.Append("$ ").Append(CommandLine).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"outcome: {Process.Outcome}, exit code: {Process.ExitCode}, duration: {Process.Duration.TotalSeconds:0.###}s\n");
        text.Append("--- stdout ---\n").Append(StandardOutput);
        if (StandardOutput.Length > 0 && StandardOutput[^1] != '\n')
        {
            text.Append('\n');
        }

        text.Append("--- stderr ---\n").Append(StandardError);
        return text.ToString();
    }
}

/// <summary>Runs the helm binary configured in <see cref="HelmOptions"/>: version detection (once), environment and logging.</summary>
internal sealed class HelmCli : IDisposable
{
    private readonly IOptions<HelmOptions> _options;
    private readonly HelmProcessRunner _runner;
    private readonly HelmMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _versionGate = new(1, 1);
    private volatile DetectedVersion? _detected;

    public HelmCli(IOptions<HelmOptions> options, HelmProcessRunner runner, HelmMetrics metrics, ILogger<HelmCli>? logger = null)
    {
        _options = options;
        _runner = runner;
        _metrics = metrics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public HelmOptions Options => _options.Value;

    public void Dispose() => _versionGate.Dispose();

    /// <summary>The full path of the helm binary.</summary>
    /// <exception cref="HelmUnavailableException">The binary does not exist.</exception>
    public string ResolveExecutable()
    {
        var configured = Options.HelmPath;
        return HelmExecutable.Resolve(configured)
            ?? throw new HelmUnavailableException($"{HelmOptions.SectionName}:{nameof(HelmOptions.HelmPath)}: helm binary not found at '{configured}'");
    }

    /// <summary>Detects the helm version once (per binary path) with <c>helm version --template {{.Version}}</c>, falling back to <c>--short</c>.</summary>
    public async Task<HelmVersion> GetVersionAsync(CancellationToken cancellationToken)
    {
        var path = ResolveExecutable();
        if (_detected is { } known && string.Equals(known.Path, path, StringComparison.Ordinal))
        {
            return known.Version;
        }

        await _versionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_detected is { } again && string.Equals(again.Path, path, StringComparison.Ordinal))
            {
                return again.Version;
            }

            var result = await RunAsync(HelmArguments.Version, Options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded || !HelmVersion.TryParse(result.Process.StandardOutput, out var version))
            {
                var fallback = await RunAsync(HelmArguments.VersionShort, Options.CommandTimeout, cancellationToken).ConfigureAwait(false);
                if (!fallback.Succeeded || !HelmVersion.TryParse(fallback.Process.StandardOutput, out version))
                {
                    throw new HelmUnavailableException(
                        $"could not read the helm version from '{path}': {(fallback.Succeeded ? "unrecognised output '" + fallback.StandardOutput.Trim() + "'" : fallback.DescribeFailure("helm version"))}");
                }
            }

            if (version.Major < 3)
            {
                throw new HelmUnavailableException($"helm {version} at '{path}' is not supported; use helm 3 or helm 4");
            }

            Log.HelmVersionDetected(_logger, version, path);
            _detected = new DetectedVersion(path, version);
            return version;
        }
        finally
        {
            _versionGate.Release();
        }
    }

    /// <summary>Runs helm with the given arguments; never throws for a non-zero exit (see the result).</summary>
    public async Task<HelmCommandResult> RunAsync(IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var options = Options;
        var path = ResolveExecutable();
        var commandLine = SecretRedactor.Patterns.FormatCommand(path, arguments);
        var command = arguments.Count > 0 ? arguments[0] : string.Empty;
        Log.HelmCommandStarting(_logger, commandLine);
        using var activity = HelmActivitySource.Instance.StartActivity(HelmMetrics.CommandSpanName, ActivityKind.Internal);
        activity?.SetTag(HelmMetrics.CommandTag, command);
        ProcessRunResult process;
        try
        {
            process = await _runner.RunAsync(path, arguments, BuildEnvironment(options), timeout, options.MaxOutputChars, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ProcessStartFailedException ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "helm could not be started");
            throw new HelmUnavailableException(ex.Message, ex);
        }

        var result = new HelmCommandResult(commandLine, process);
        var outcome = _metrics.RecordCommand(command, process);
        if (activity is not null)
        {
            activity.SetTag(HelmMetrics.OutcomeTag, outcome);
            activity.SetTag(HelmMetrics.ExitCodeTag, process.ExitCode);
            if (outcome != "success")
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome);
            }
        }

        switch (process.Outcome)
        {
            case ProcessOutcome.TimedOut:
                Log.HelmCommandTimedOut(_logger, commandLine, timeout.TotalSeconds);
                break;
            case ProcessOutcome.Cancelled:
                Log.HelmCommandCancelled(_logger, commandLine);
                break;
            default:
                Log.HelmCommandFinished(_logger, commandLine, process.ExitCode, process.Duration.TotalMilliseconds);
                break;
        }

        return result;
    }

    private sealed record DetectedVersion(string Path, HelmVersion Version);

    private static Dictionary<string, string?> BuildEnvironment(HelmOptions options)
    {
        var home = string.IsNullOrWhiteSpace(options.HomeDirectory)
            ? Path.Combine(Path.GetTempPath(), "rollbackkit-helm")
            : options.HomeDirectory;
        var cache = Path.Combine(home, "cache");
        var config = Path.Combine(home, "config");
        var data = Path.Combine(home, "data");
        Directory.CreateDirectory(cache);
        Directory.CreateDirectory(config);
        Directory.CreateDirectory(data);
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["HELM_CACHE_HOME"] = cache,
            ["HELM_CONFIG_HOME"] = config,
            ["HELM_DATA_HOME"] = data,
            ["NO_COLOR"] = "1",
            ["HELM_DEBUG"] = null,
        };
    }
}

/// <summary>The helm binary is missing, cannot start or reports an unsupported version.</summary>
internal sealed class HelmUnavailableException : Exception
{
    public HelmUnavailableException(string message)
        : base(message)
    {
    }

    public HelmUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
