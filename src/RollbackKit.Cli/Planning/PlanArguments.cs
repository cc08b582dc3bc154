using System.CommandLine;

namespace RollbackKit.Cli.Planning;

/// <summary>The <c>--config</c> and <c>--section</c> options shared by validate, plan check and drill.</summary>
internal static class PlanArguments
{
    public static Option<FileInfo> Config() => new("--config", "-c")
    {
        Description = "The application's appsettings JSON file holding RollbackKit's settings.",
        Required = true,
    };

    public static Option<string> Section() => new("--section")
    {
        Description = "The configuration section RollbackKit's settings are in. Default: RollbackKit.",
        DefaultValueFactory = static _ => RollbackKitOptions.SectionName,
    };
}
