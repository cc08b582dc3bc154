namespace RollbackKit.Helm;

internal static class PackageInfo
{
    public const string Name = "RollbackKit.Helm";
}
