using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace RollbackKit.Cli.Tests.Infrastructure;

/// <summary>The outcome of one run of the rollbackkit tool.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>Runs the built rollbackkit tool (<c>dotnet RollbackKit.Cli.dll …</c>) as a separate process.</summary>
internal static class CliProcess
{
    /// <summary>The tool built by the referenced project, in the same configuration as the tests.</summary>
    public static string ToolPath
    {
        get
        {
            var configuration = typeof(CliProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            var path = Path.Combine(Repository.Root, "src", "RollbackKit.Cli", "bin", configuration, "net10.0", "RollbackKit.Cli.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} not found; build src/RollbackKit.Cli first.");
        }
    }

    public static Task<CliRun> RunAsync(params string[] arguments) => RunInAsync(Path.GetTempPath(), arguments);

    public static async Task<CliRun> RunInAsync(string workingDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(ToolPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
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
}

/// <summary>The repository root (the folder holding RollbackKit.sln).</summary>
internal static class Repository
{
    public static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "RollbackKit.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException("RollbackKit.sln not found above " + AppContext.BaseDirectory);
        }
    }
}

/// <summary>A scratch directory deleted with the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rbk-cli-" + Guid.NewGuid().ToString("N")[..12]);

    public TempDirectory() => Directory.CreateDirectory(Path);

    public string File(string name, string? content = null)
    {
        var path = System.IO.Path.Combine(Path, name);
        if (content is not null)
        {
            System.IO.File.WriteAllText(path, content, new UTF8Encoding(false));
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
