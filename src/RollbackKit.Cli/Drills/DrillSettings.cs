namespace RollbackKit.Cli.Drills;

/// <summary>The parsed arguments of <c>rollbackkit drill</c>.</summary>
/// <param name="ConfigFile">The appsettings JSON file.</param>
/// <param name="Section">The configuration section RollbackKit's settings are in.</param>
/// <param name="Target">The target to roll back.</param>
/// <param name="ReportFile">Where to write the report; <see langword="null"/> for the default name.</param>
internal sealed record DrillSettings(FileInfo ConfigFile, string Section, string Target, FileInfo? ReportFile);
