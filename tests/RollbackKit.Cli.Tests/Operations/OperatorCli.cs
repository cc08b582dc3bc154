using System.Diagnostics;
using RollbackKit.Cli.Tests.Infrastructure;

namespace RollbackKit.Cli.Tests.Operations;

/// <summary>
/// Runs the built rollbackkit tool as a separate process with exactly the operator environment given: ROLLBACKKIT_SERVER and
/// ROLLBACKKIT_TOKEN are removed from the inherited environment unless the test sets them.
/// </summary>
internal static class OperatorCli
{
    /// <summary>
    /// Starts the tool, waits until its standard output contains <paramref name="until"/>, then sends SIGINT (what Ctrl+C sends)
    /// and waits for it to exit.
    /// </summary>
    public static async Task<CliRun> InterruptAsync(IReadOnlyDictionary<string, string?> environment, string until, params string[] arguments)
    {
        var info = StartInfo(environment, arguments);
        using var process = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
                if (output.ToString().Contains(until, StringComparison.Ordinal))
                {
                    seen.TrySetResult();
                }
            }
        };
        process.BeginOutputReadLine();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await seen.Task.WaitAsync(timeout.Token);
            using (var kill = Process.Start("kill", ["-s", "INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(timeout.Token);
            }

            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rollbackkit {string.Join(' ', arguments)} did not print '{until}' and exit on SIGINT within 2 minutes.");
        }

        lock (output)
        {
            return new CliRun(process.ExitCode, output.ToString(), error.Result);
        }
    }

    public static Task<CliRun> RunAsync(params string[] arguments) => RunAsync(new Dictionary<string, string?>(), arguments);

    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(environment, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rollbackkit {string.Join(' ', arguments)} did not exit within 2 minutes.");
        }

        return new CliRun(process.ExitCode, await output, await error);
    }

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string?> environment, string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(CliProcess.ToolPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["NO_COLOR"] = "1";
        info.Environment.Remove("ROLLBACKKIT_SERVER");
        info.Environment.Remove("ROLLBACKKIT_TOKEN");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return info;
    }
}
