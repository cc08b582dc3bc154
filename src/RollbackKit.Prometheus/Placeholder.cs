namespace RollbackKit.Prometheus;

internal static class PackageInfo
{
    public const string Name = "RollbackKit.Prometheus";
}
