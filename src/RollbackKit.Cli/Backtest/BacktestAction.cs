using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Backtesting;
using RollbackKit.Cli.Hosting;
using RollbackKit.Cli.Report;
using Spectre.Console;

namespace RollbackKit.Cli.Backtest;

/// <summary>Runs a backtest: builds the services, replays with a progress bar, prints the tables, writes the files.</summary>
internal static class BacktestAction
{
    private const int MaxErrorsShown = 10;

    public static async Task<int> RunAsync(BacktestSettings settings, InvocationConfiguration invocation, CancellationToken cancellationToken)
    {
        var output = Console(invocation.Output);
        var status = Console(invocation.Error);
        using var provider = BacktestHost.Build(settings);
        var backtester = provider.GetRequiredService<IBacktester>();
        var request = new BacktestRequest
        {
            From = settings.From,
            To = settings.To,
            Step = settings.Step,
            Targets = settings.Targets.Count == 0 ? null : settings.Targets,
        };

        BacktestResult result;
        try
        {
            result = status.Profile.Capabilities.Interactive
                ? await RunWithProgressAsync(status, backtester, request, cancellationToken).ConfigureAwait(false)
                : await backtester.RunAsync(request, null, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.InvalidInput, e.Message, e);
        }
        catch (OptionsValidationException e)
        {
            throw new CliException(ExitCodes.InvalidInput, "configuration is invalid:\n  " + string.Join("\n  ", e.Failures), e);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(ExitCodes.InvalidInput, "configuration cannot be backtested: " + e.Message, e);
        }

        var report = BacktestReportMapper.Map(result);
        ResultTables.Write(output, report);
        if (settings.JsonFile is { } json)
        {
            await using var stream = Create(json);
            await BacktestJson.WriteAsync(report, stream, cancellationToken).ConfigureAwait(false);
            status.MarkupLineInterpolated($"[grey]JSON written to {json.FullName}[/]");
        }

        if (settings.HtmlFile is { } html)
        {
            Directory.CreateDirectory(html.DirectoryName ?? ".");
            await HtmlReportWriter.WriteAsync(report, html.FullName, cancellationToken).ConfigureAwait(false);
            status.MarkupLineInterpolated($"[grey]HTML report written to {html.FullName}[/]");
        }

        foreach (var warning in report.Warnings)
        {
            status.MarkupLineInterpolated($"[yellow]warning:[/] {warning}");
        }

        if (report.Errors.Count == 0)
        {
            return ExitCodes.Success;
        }

        status.MarkupLineInterpolated($"[red]error:[/] the metric source answered {report.Errors.Count} distinct error(s); the steps they concern were replayed as errors:");
        foreach (var error in report.Errors.Take(MaxErrorsShown))
        {
            status.MarkupLineInterpolated($"  {error}");
        }

        return ExitCodes.SourceFailed;
    }

    private static Task<BacktestResult> RunWithProgressAsync(IAnsiConsole status, IBacktester backtester, BacktestRequest request, CancellationToken cancellationToken) =>
        status.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(context =>
            {
                var progress = new ProgressReporter(
                    context.AddTask("Fetching history", autoStart: true),
                    context.AddTask("Replaying steps", autoStart: false));
                return backtester.RunAsync(request, progress, cancellationToken);
            });

    /// <summary>A console on <paramref name="writer"/>; wide when it is not a terminal, so that piped tables do not wrap.</summary>
    private static IAnsiConsole Console(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (!console.Profile.Out.IsTerminal)
        {
            console.Profile.Width = 200;
        }

        return console;
    }

    private static FileStream Create(FileInfo file)
    {
        Directory.CreateDirectory(file.DirectoryName ?? ".");
        return new FileStream(file.FullName, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
    }

    /// <summary>Moves the two progress bars; called from the backtester's threads.</summary>
    private sealed class ProgressReporter(ProgressTask fetching, ProgressTask replaying) : IProgress<BacktestProgress>
    {
        public void Report(BacktestProgress value)
        {
            var task = value.Phase == BacktestPhase.Fetching ? fetching : replaying;
            if (value.Phase == BacktestPhase.Replaying && !replaying.IsStarted)
            {
                fetching.Value = fetching.MaxValue;
                replaying.StartTask();
            }

            task.MaxValue = Math.Max(1, value.Total);
            task.Value = value.Completed;
        }
    }
}
