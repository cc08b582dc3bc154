namespace RollbackKit.AspNetCore;

internal static class PackageInfo
{
    public const string Name = "RollbackKit.AspNetCore";
}
