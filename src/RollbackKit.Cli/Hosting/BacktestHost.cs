using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using RollbackKit.Cli.Backtest;

namespace RollbackKit.Cli.Hosting;

/// <summary>
/// Builds the services a backtest needs the way an application does: its appsettings file, <c>AddRollbackKit</c> on the
/// chosen section, <c>AddPrometheus</c> (with the <c>--prometheus</c> address, when given, overriding the configured one)
/// and <c>AddBacktesting</c>; then validates the options as start-up would, so configuration mistakes surface as exit
/// code 2 naming their key path. No hosted service (monitor, workflow) is started.
/// </summary>
internal static class BacktestHost
{
    public static ServiceProvider Build(BacktestSettings settings)
    {
        var configuration = LoadConfiguration(settings.ConfigFile);
        var section = configuration.GetSection(settings.Section);
        if (!section.Exists())
        {
            throw new CliException(ExitCodes.InvalidInput, $"--section: '{settings.Section}' is not a section of {settings.ConfigFile.FullName}.");
        }

        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning));
        services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        services.AddSingleton<IConfiguration>(configuration);
        var builder = services.AddRollbackKit(section)
            .AddPrometheus(o =>
            {
                if (settings.Prometheus is not null)
                {
                    o.BaseAddress = settings.Prometheus;
                }
            })
            .AddBacktesting();
        NotReplayedConfiguration.Register(builder, section);

        // A backtest never journals, but validation proves the journal writable by opening it: point it at a scratch
        // file so that replaying someone's appsettings leaves nothing behind in the working directory.
        var scratch = Path.Combine(Path.GetTempPath(), "rollbackkit-backtest-" + Guid.NewGuid().ToString("N"));
        services.PostConfigure<RollbackKitOptions>(o => o.Workflow.JournalPath = Path.Combine(scratch, "journal.jsonl"));
        var provider = services.BuildServiceProvider();
        try
        {
            Validate(provider);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }

        return provider;
    }

    private static IConfigurationRoot LoadConfiguration(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new CliException(ExitCodes.InvalidInput, $"--config: {file.FullName} does not exist.");
        }

        try
        {
            return new ConfigurationBuilder().AddJsonFile(file.FullName, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or JsonException)
        {
            throw new CliException(ExitCodes.InvalidInput, $"--config: {file.FullName} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Validates the options a replay reads, as start-up would (the adapters' settings are not read).</summary>
    private static void Validate(ServiceProvider provider)
    {
        try
        {
            _ = provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<RollbackKit.Prometheus.PrometheusOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            throw new CliException(ExitCodes.InvalidInput, "configuration is invalid:\n  " + string.Join("\n  ", e.Failures), e);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(static x => x is OptionsValidationException))
        {
            var failures = e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(static x => x.Failures);
            throw new CliException(ExitCodes.InvalidInput, "configuration is invalid:\n  " + string.Join("\n  ", failures), e);
        }
    }
}
