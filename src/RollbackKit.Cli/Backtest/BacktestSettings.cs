namespace RollbackKit.Cli.Backtest;

/// <summary>The parsed arguments of <c>rollbackkit backtest</c>.</summary>
/// <param name="ConfigFile">The appsettings JSON file.</param>
/// <param name="Section">The configuration section RollbackKit's settings are in. Default: <c>RollbackKit</c>.</param>
/// <param name="Prometheus">The Prometheus base address, overriding <c>&lt;Section&gt;:Prometheus:BaseAddress</c>; optional.</param>
/// <param name="From">The first step.</param>
/// <param name="To">The last instant that may be a step.</param>
/// <param name="Step">The time between steps.</param>
/// <param name="Targets">Only these target ids; empty for all.</param>
/// <param name="JsonFile">Where to write the JSON result; optional.</param>
/// <param name="HtmlFile">Where to write the HTML report; optional.</param>
internal sealed record BacktestSettings(
    FileInfo ConfigFile,
    string Section,
    Uri? Prometheus,
    DateTimeOffset From,
    DateTimeOffset To,
    TimeSpan Step,
    IReadOnlyList<string> Targets,
    FileInfo? JsonFile,
    FileInfo? HtmlFile);
