namespace RollbackKit.Kubernetes;

internal static class PackageInfo
{
    public const string Name = "RollbackKit.Kubernetes";
}
