namespace RollbackKit.Packaging.Tests;

/// <summary>One pack run shared by every test class.</summary>
[CollectionDefinition(Name)]
public sealed class PackFixture : ICollectionFixture<PackedPackages>
{
    public const string Name = "dotnet pack";
}
