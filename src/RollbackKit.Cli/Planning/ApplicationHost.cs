using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace RollbackKit.Cli.Planning;

/// <summary>How <see cref="ApplicationHost"/> treats the journal.</summary>
internal enum JournalUse
{
    /// <summary>Offline checks: nothing is written to the configured journal; start-up validation opens a scratch file instead.</summary>
    Scratch,

    /// <summary>A real run (drill): the configured journal records it, like the application would.</summary>
    Configured,
}

/// <summary>
/// Builds RollbackKit's services the way an application does from its appsettings file: <c>AddRollbackKit</c> on the chosen
/// section plus every adapter whose subsection or step types the file uses (Prometheus, Alertmanager signals, Kubernetes and its
/// lease lock / leader election, Helm, Slack, PagerDuty, e-mail). Relative paths resolve against the file's folder (the
/// application's content root). No hosted service is started.
/// </summary>
internal sealed class ApplicationHost : IDisposable, IAsyncDisposable
{
    /// <summary>Subsections owned by the ASP.NET Core package (webhook endpoints), which the tool does not load: accepted unchecked.</summary>
    private static readonly string[] UncheckedSubsections = ["Webhooks", "PolicyBreach"];

    private readonly string? _scratch;
    private FileInfo _file = null!;
    private string _sectionName = string.Empty;
    private Action<IServiceCollection>? _configure;

    private ApplicationHost(ServiceProvider services, IConfigurationSection section, string? scratch, string configuredJournalPath, IReadOnlyList<string> adapters, IReadOnlyList<string> uncheckedSections)
    {
        Services = services;
        Section = section;
        _scratch = scratch;
        ConfiguredJournalPath = configuredJournalPath;
        Adapters = adapters;
        UncheckedSections = uncheckedSections;
    }

    /// <summary>The services.</summary>
    public ServiceProvider Services { get; }

    /// <summary>RollbackKit's configuration section.</summary>
    public IConfigurationSection Section { get; }

    /// <summary>The options types with a validator (RollbackKit's and each adapter's).</summary>
    public IReadOnlyList<Type> ValidatedOptionTypes { get; private init; } = [];

    /// <summary>Whether start-up validation opened a scratch journal, so the configured one is checked separately.</summary>
    public bool ScratchJournal => _scratch is not null;

    /// <summary>The journal path the application would use (resolved against the content root).</summary>
    public string ConfiguredJournalPath { get; }

    /// <summary>The adapters added because the file uses them, for example <c>Slack</c>.</summary>
    public IReadOnlyList<string> Adapters { get; }

    /// <summary>Subsections present in the file that belong to packages the tool does not load (not checked).</summary>
    public IReadOnlyList<string> UncheckedSections { get; }

    /// <summary>Reads <paramref name="file"/> and builds the services; exit code 2 when the file or section is missing or not JSON.</summary>
    public static ApplicationHost Build(FileInfo file, string sectionName, JournalUse journal, Action<IServiceCollection>? configure = null) =>
        Build(file, sectionName, journal, configure, adapterValidation: true);

    /// <summary>
    /// The same services without the adapters' options validators: resolving RollbackKit's own validator creates the step
    /// factories and metric sources, which read their adapter's options; an invalid adapter section would otherwise stop that
    /// creation and hide RollbackKit's own problems behind the adapter's.
    /// </summary>
    public ApplicationHost WithoutAdapterValidation() => Build(_file, _sectionName, JournalUse.Scratch, _configure, adapterValidation: false);

    private static ApplicationHost Build(FileInfo file, string sectionName, JournalUse journal, Action<IServiceCollection>? configure, bool adapterValidation)
    {
        var configuration = Load(file);
        var section = configuration.GetSection(sectionName);
        if (!section.Exists())
        {
            throw new CliException(ExitCodes.InvalidInput, $"--section: '{sectionName}' is not a section of {file.FullName}.");
        }

        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning));
        services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new ContentRoot(file.DirectoryName ?? Directory.GetCurrentDirectory()));
        var builder = services.AddRollbackKit(section);
        var adapters = AddAdapters(builder, section);
        var notChecked = new List<string>();
        foreach (var name in UncheckedSubsections)
        {
            if (section.GetSection(name).Exists())
            {
                builder.BindOptionsSection<UncheckedSettings>(name);
                notChecked.Add($"{section.Path}:{name}");
            }
        }

        var configured = new ConfiguredPath();
        string? scratch = null;
        if (journal == JournalUse.Scratch)
        {
            // Start-up validation proves the journal writable by opening it: point it at a scratch file, so that checking a
            // configuration never creates or touches the application's journal; the configured path is checked separately.
            scratch = Path.Combine(Path.GetTempPath(), "rollbackkit-check-" + Guid.NewGuid().ToString("N"));
            services.PostConfigure<RollbackKitOptions>(o =>
            {
                configured.Value ??= o.Workflow.JournalPath;
                o.Workflow.JournalPath = Path.Combine(scratch, "journal.jsonl");
                o.Workflow.EvidenceDirectory = Path.Combine(scratch, "evidence");
            });
        }

        configure?.Invoke(services);
        if (!adapterValidation)
        {
            foreach (var descriptor in services.Where(static d => d.ServiceType.IsGenericType
                && d.ServiceType.GetGenericTypeDefinition() == typeof(IValidateOptions<>)
                && d.ServiceType.GetGenericArguments()[0] != typeof(RollbackKitOptions)).ToArray())
            {
                services.Remove(descriptor);
            }
        }

        var validated = services
            .Where(static d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IValidateOptions<>))
            .Select(static d => d.ServiceType.GetGenericArguments()[0])
            .Distinct()
            .ToArray();
        var provider = services.BuildServiceProvider();
        if (journal == JournalUse.Scratch)
        {
            // Reading the options runs the post-configuration above (which records the configured path), then validation,
            // whose failures the start-up checks report.
            try
            {
                _ = provider.GetRequiredService<IOptionsMonitor<RollbackKitOptions>>().CurrentValue;
            }
            catch (OptionsValidationException)
            {
            }
        }

        var journalPath = configured.Value ?? string.Empty;
        return new ApplicationHost(provider, section, scratch, journalPath, adapters, notChecked)
        {
            _file = file,
            _sectionName = sectionName,
            _configure = configure,
            ValidatedOptionTypes = validated,
        };
    }

    public void Dispose()
    {
        Services.Dispose();
        DeleteScratch();
    }

    /// <summary>Disposes the services asynchronously, so that notifiers deliver what is queued (up to the drain timeout).</summary>
    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync().ConfigureAwait(false);
        DeleteScratch();
    }

    private void DeleteScratch()
    {
        if (_scratch is not null && Directory.Exists(_scratch))
        {
            try
            {
                Directory.Delete(_scratch, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static List<string> AddAdapters(IRollbackKitBuilder builder, IConfigurationSection section)
    {
        var adapters = new List<string>();
        var stepTypes = StepTypes(section);
        if (section.GetSection("Prometheus").Exists() || section.GetSection("Queries").GetChildren().Any())
        {
            builder.AddPrometheus();
            adapters.Add("Prometheus");
        }

        if (section.GetSection("Alertmanager").Exists())
        {
            builder.AddAlertmanagerSignals();
            adapters.Add("Alertmanager");
        }

        if (section.GetSection("Kubernetes").Exists() || stepTypes.Any(static t => t.StartsWith("kubernetes.", StringComparison.OrdinalIgnoreCase)))
        {
            builder.AddKubernetes();
            adapters.Add("Kubernetes");
            if (section.GetSection("Kubernetes:LeaseLock").Exists())
            {
                builder.AddKubernetesLeaseLock();
                adapters.Add("Kubernetes lease lock");
            }

            if (section.GetSection("Kubernetes:LeaderElection").Exists())
            {
                builder.AddKubernetesLeaderElection();
                adapters.Add("Kubernetes leader election");
            }
        }

        if (section.GetSection("Helm").Exists() || stepTypes.Any(static t => t.StartsWith("helm.", StringComparison.OrdinalIgnoreCase)))
        {
            builder.AddHelm();
            adapters.Add("Helm");
        }

        if (section.GetSection("Slack").Exists())
        {
            builder.AddSlack();
            adapters.Add("Slack");
        }

        if (section.GetSection("PagerDuty").Exists())
        {
            builder.AddPagerDuty();
            adapters.Add("PagerDuty");
        }

        if (section.GetSection("Email").Exists())
        {
            builder.AddEmail();
            adapters.Add("Email");
        }

        return adapters;
    }

    /// <summary>Every <c>…:Steps:n:Type</c> value under <paramref name="section"/>.</summary>
    public static SortedSet<string> StepTypes(IConfiguration section)
    {
        var types = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        Collect(section, types);
        return types;

        static void Collect(IConfiguration section, SortedSet<string> types)
        {
            foreach (var child in section.GetChildren())
            {
                if (string.Equals(child.Key, "Steps", StringComparison.OrdinalIgnoreCase))
                {
                    foreach (var step in child.GetChildren())
                    {
                        if (step["Type"] is { Length: > 0 } type)
                        {
                            types.Add(type);
                        }
                    }
                }

                Collect(child, types);
            }
        }
    }

    private static IConfigurationRoot Load(FileInfo file)
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

    /// <summary>The configured journal path, captured before the scratch path replaces it.</summary>
    private sealed class ConfiguredPath
    {
        public string? Value { get; set; }
    }

    /// <summary>Stands for settings of a package the tool does not load: bound by nobody, so their keys are not checked.</summary>
    private sealed class UncheckedSettings
    {
    }

    /// <summary>The application's content root: the folder of its appsettings file.</summary>
    private sealed class ContentRoot(string path) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;

        public string ApplicationName { get; set; } = "rollbackkit";

        public string ContentRootPath { get; set; } = path;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
