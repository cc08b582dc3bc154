using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

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

/// <summary><c>delay</c>: waits <c>duration</c> (for example <c>30s</c> or <c>00:00:30</c>) on the workflow's clock.</summary>
internal sealed class DelayStepFactory : IPlaybookStepFactory
{
    public string Type => "delay";

    public IPlaybookStep Create(PlaybookStepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var duration = StepSettings.ParseDuration("duration", StepSettings.Require(definition, "duration"));
        return new DelayStep(definition.Name ?? "delay", duration);
    }

    private sealed class DelayStep(string name, TimeSpan duration) : IPlaybookStep
    {
        public string Name { get; } = name;

        public async ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
        {
            await Task.Delay(duration, context.TimeProvider, cancellationToken).ConfigureAwait(false);
            return StepResult.Success($"waited {duration}");
        }
    }
}

/// <summary>A step type registered in code with a delegate.</summary>
internal sealed class DelegatePlaybookStepFactory(string type, Func<PlaybookStepContext, CancellationToken, ValueTask<StepResult>> execute) : IPlaybookStepFactory
{
    public string Type { get; } = type;

    public IPlaybookStep Create(PlaybookStepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new DelegateStep(definition.Name ?? Type, execute);
    }

    private sealed class DelegateStep(string name, Func<PlaybookStepContext, CancellationToken, ValueTask<StepResult>> execute) : IPlaybookStep
    {
        public string Name { get; } = name;

        public ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken) => execute(context, cancellationToken);
    }
}

/// <summary>
/// <c>http</c>: GETs <c>url</c> and expects <c>expectedStatus</c> (default 200) and, optionally, the JSON field <c>jsonField</c>
/// (dot path) to equal <c>jsonValue</c>. 5xx and network errors are transient.
/// </summary>
internal sealed class HttpCheckStepFactory : IPlaybookStepFactory, IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public string Type => "http";

    public IPlaybookStep Create(PlaybookStepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var urlText = StepSettings.Require(definition, "url");
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new PlaybookConfigurationException("url", $"'{urlText}' is not an absolute http or https URL.");
        }

        var expected = 200;
        if (StepSettings.Get(definition, "expectedStatus") is { } statusText
            && (!int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out expected) || expected is < 100 or > 599))
        {
            throw new PlaybookConfigurationException("expectedStatus", $"'{statusText}' is not an HTTP status code (100-599).");
        }

        var jsonField = StepSettings.Get(definition, "jsonField");
        var jsonValue = definition.Settings.TryGetValue("jsonValue", out var v) ? v : null;
        if (jsonField is null && jsonValue is not null)
        {
            throw new PlaybookConfigurationException("jsonField", "is required when jsonValue is set.");
        }

        return new HttpCheckStep(definition.Name ?? "http", _client, url, expected, jsonField, jsonValue);
    }

    public void Dispose() => _client.Dispose();

    private sealed class HttpCheckStep(string name, HttpClient client, Uri url, int expectedStatus, string? jsonField, string? jsonValue) : IPlaybookStep
    {
        public string Name { get; } = name;

        public async ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
        {
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                return StepResult.Failure($"GET {url.GetLeftPart(UriPartial.Path)} failed: {ex.Message}", transient: true);
            }

            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                context.Evidence.Add(
                    $"steps/{EvidenceCollector.SafeName(Name)}/attempt-{context.Attempt}-response.txt",
                    $"GET {url.GetLeftPart(UriPartial.Path)}\nstatus: {status}\n\n{StepSettings.Truncate(body, 64 * 1024)}");
                if (status != expectedStatus)
                {
                    return StepResult.Failure($"status {status}, expected {expectedStatus}", transient: status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable);
                }

                if (jsonField is null)
                {
                    return StepResult.Success($"status {status}");
                }

                return CheckJson(body);
            }
        }

        private StepResult CheckJson(string body)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException ex)
            {
                return StepResult.Failure($"response is not JSON: {ex.Message}", transient: true);
            }

            using (document)
            {
                var element = document.RootElement;
                foreach (var part in jsonField!.Split('.'))
                {
                    if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
                    {
                        return StepResult.Failure($"JSON field '{jsonField}' not found", transient: true);
                    }
                }

                if (jsonValue is null)
                {
                    return StepResult.Success($"JSON field '{jsonField}' present");
                }

                var actual = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
                return string.Equals(actual, jsonValue, element.ValueKind is JsonValueKind.True or JsonValueKind.False ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)
                    ? StepResult.Success($"JSON field '{jsonField}' = '{actual}'")
                    : StepResult.Failure($"JSON field '{jsonField}' = '{actual}', expected '{jsonValue}'", transient: true);
            }
        }
    }
}

/// <summary>
/// <c>command</c>: runs <c>Arguments[0]</c> with the remaining arguments (no shell), optionally in <c>workingDirectory</c>.
/// Exit code 0 succeeds. A timeout or cancellation kills the whole process tree. Output goes to the evidence bundle.
/// </summary>
internal sealed class CommandStepFactory : IPlaybookStepFactory
{
    public string Type => "command";

    public IPlaybookStep Create(PlaybookStepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Arguments.Count == 0 || string.IsNullOrWhiteSpace(definition.Arguments[0]))
        {
            throw new PlaybookConfigurationException("Arguments: the program to run (Arguments:0) is required.");
        }

        var workingDirectory = StepSettings.Get(definition, "workingDirectory");
        if (workingDirectory is not null && !Directory.Exists(workingDirectory))
        {
            throw new PlaybookConfigurationException("workingDirectory", $"'{workingDirectory}' does not exist.");
        }

        return new CommandStep(definition.Name ?? "command", definition.Arguments.ToArray(), workingDirectory);
    }

    private sealed class CommandStep(string name, string[] arguments, string? workingDirectory) : IPlaybookStep
    {
        private const int MaxOutput = 256 * 1024;

        public string Name { get; } = name;

        public async ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
        {
            var info = new ProcessStartInfo(arguments[0])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = false,
                UseShellExecute = false,
                CreateNoWindow = true,
            };
            for (var i = 1; i < arguments.Length; i++)
            {
                info.ArgumentList.Add(arguments[i]);
            }

            if (workingDirectory is not null)
            {
                info.WorkingDirectory = workingDirectory;
            }

            using var process = new Process { StartInfo = info };
            try
            {
                process.Start();
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                return StepResult.Failure($"could not start '{arguments[0]}': {ex.Message}", transient: false);
            }

            var prefix = $"steps/{EvidenceCollector.SafeName(Name)}/attempt-{context.Attempt}";
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                context.Evidence.Add($"{prefix}-command.txt", $"{string.Join(' ', arguments)}\npid: {process.Id}\nkilled: cancelled or timed out");
                context.Evidence.Add($"{prefix}-stdout.txt", await DrainAsync(stdout, context.TimeProvider).ConfigureAwait(false));
                context.Evidence.Add($"{prefix}-stderr.txt", await DrainAsync(stderr, context.TimeProvider).ConfigureAwait(false));
                throw;
            }

            var output = await stdout.ConfigureAwait(false);
            var error = await stderr.ConfigureAwait(false);
            context.Evidence.Add($"{prefix}-command.txt", $"{string.Join(' ', arguments)}\npid: {process.Id}\nexit code: {process.ExitCode}");
            context.Evidence.Add($"{prefix}-stdout.txt", StepSettings.Truncate(output, MaxOutput));
            context.Evidence.Add($"{prefix}-stderr.txt", StepSettings.Truncate(error, MaxOutput));
            if (process.ExitCode == 0)
            {
                return StepResult.Success(FirstLine(output));
            }

            var detail = FirstLine(error) ?? FirstLine(output);
            return StepResult.Failure(detail is null ? $"exit code {process.ExitCode}" : $"exit code {process.ExitCode}: {detail}", transient: true);
        }

        /// <summary>Output of a killed process: the pipes close once the whole tree is gone; never wait long for them.</summary>
        private static async Task<string> DrainAsync(Task<string> output, TimeProvider timeProvider)
        {
            try
            {
                return StepSettings.Truncate(await output.WaitAsync(TimeSpan.FromSeconds(2), timeProvider).ConfigureAwait(false), MaxOutput);
            }
            catch (TimeoutException)
            {
                return "[output not available: the pipe stayed open]";
            }
            catch (IOException ex)
            {
                return "[output not available: " + ex.Message + "]";
            }
        }

        private static void Kill(Process process)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        }

        private static string? FirstLine(string text)
        {
            var trimmed = text.AsSpan().Trim();
            if (trimmed.IsEmpty)
            {
                return null;
            }

            var end = trimmed.IndexOfAny('\r', '\n');
            var line = end < 0 ? trimmed : trimmed[..end];
            return line.Length > 200 ? string.Concat(line[..200], "…") : line.ToString();
        }
    }
}
