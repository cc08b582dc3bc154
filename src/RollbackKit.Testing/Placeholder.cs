namespace RollbackKit.Testing;

internal static class PackageInfo
{
    public const string Name = "RollbackKit.Testing";
}
