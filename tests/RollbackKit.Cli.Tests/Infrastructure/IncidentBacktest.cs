using System.Text.Json;

namespace RollbackKit.Cli.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class IncidentBacktestGroup : ICollectionFixture<IncidentBacktest>
{
    public const string Name = "incident backtest";
}

/// <summary>
/// The real Prometheus holding <see cref="Incident"/>, and one run of <c>rollbackkit backtest</c> over it (10:00-10:45 of
/// the incident day at 15 s steps) writing the JSON result and the HTML report, shared by the tests that read them.
/// </summary>
public sealed class IncidentBacktest : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private PrometheusServer? _prometheus;

    /// <summary>00:00 UTC of the incident day (30-54 hours in the past, well inside the retention).</summary>
    public DateTimeOffset Day { get; } = new(DateTime.UtcNow.AddHours(-30).Date, TimeSpan.Zero);

    public DateTimeOffset From => Day.AddHours(10);

    public DateTimeOffset To => Day.AddHours(10).AddMinutes(45);

    internal PrometheusServer Prometheus => _prometheus!;

    internal CliRun Run { get; private set; } = null!;

    public string ConfigPath => _directory.File("appsettings.json");

    public string JsonPath => _directory.File("backtest.json");

    public string HtmlPath => _directory.File("report.html");

    public JsonDocument Json { get; private set; } = null!;

    public static string Rfc3339(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        _prometheus = await PrometheusServer.StartAsync(Incident.OpenMetrics(Day));
        _directory.File("appsettings.json", Incident.AppSettings());
        Run = await CliProcess.RunAsync(
            "backtest",
            "--config", ConfigPath,
            "--prometheus", _prometheus.BaseAddress.ToString(),
            "--from", Rfc3339(From),
            "--to", Rfc3339(To),
            "--step", "15s",
            "--json", JsonPath,
            "--html", HtmlPath);
        if (File.Exists(JsonPath))
        {
            Json = JsonDocument.Parse(await File.ReadAllTextAsync(JsonPath));
        }
    }

    public async Task DisposeAsync()
    {
        Json?.Dispose();
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        _directory.Dispose();
    }
}
