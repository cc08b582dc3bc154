namespace RollbackKit.Slack;

internal static class PackageInfo
{
    public const string Name = "RollbackKit.Slack";
}
