using System.Diagnostics;
using RollbackKit.Redaction;

namespace RollbackKit.Playbooks;

/// <summary>
/// <c>command</c>: runs <c>Arguments[0]</c> with the remaining arguments (no shell), optionally in <c>workingDirectory</c>.
/// Exit code 0 succeeds. A timeout or cancellation kills the whole process tree. Output goes to the evidence bundle; the
/// command line is recorded with secret arguments masked (<see cref="SecretRedactor.RedactArguments"/>).
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

        /// <summary>The environment variable carrying <see cref="PlaybookStepContext.IdempotencyKey"/>.</summary>
        public const string IdempotencyKeyVariable = "ROLLBACKKIT_IDEMPOTENCY_KEY";

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

            info.Environment[IdempotencyKeyVariable] = context.IdempotencyKey;

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
                context.Evidence.Add($"{prefix}-command.txt", $"{CommandLine()}\npid: {process.Id}\nkilled: cancelled or timed out");
                context.Evidence.Add($"{prefix}-stdout.txt", await DrainAsync(stdout, context.TimeProvider).ConfigureAwait(false));
                context.Evidence.Add($"{prefix}-stderr.txt", await DrainAsync(stderr, context.TimeProvider).ConfigureAwait(false));
                throw;
            }

            var output = await stdout.ConfigureAwait(false);
            var error = await stderr.ConfigureAwait(false);
            context.Evidence.Add($"{prefix}-command.txt", $"{CommandLine()}\npid: {process.Id}\nexit code: {process.ExitCode}");
            context.Evidence.Add($"{prefix}-stdout.txt", StepSettings.Truncate(output, MaxOutput));
            context.Evidence.Add($"{prefix}-stderr.txt", StepSettings.Truncate(error, MaxOutput));
            if (process.ExitCode == 0)
            {
                return StepResult.Success(FirstLine(output));
            }

            var detail = FirstLine(error) ?? FirstLine(output);
            return StepResult.Failure(detail is null ? $"exit code {process.ExitCode}" : $"exit code {process.ExitCode}: {detail}", transient: true);
        }

        /// <summary>The command line for the evidence bundle, with secret arguments masked.</summary>
        private string CommandLine() => string.Join(' ', SecretRedactor.Patterns.RedactArguments(arguments));

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
