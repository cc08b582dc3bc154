using System.Text;
using static RollbackKit.Packaging.Tests.AssemblyInspection;
using static RollbackKit.Packaging.Tests.PackedPackages;

namespace RollbackKit.Packaging.Tests;

/// <summary>
/// What a library package carries: the assembly with its XML docs, a portable PDB in the symbol package whose source
/// paths are mapped (no build machine path) with SourceLink to the built commit, and friends limited to test assemblies.
/// The tool package has its own layout: <see cref="ToolPackageTests"/>.
/// </summary>
[Collection(PackFixture.Name)]
public sealed class PackageContentTests(PackedPackages packed)
{
    [Theory]
    [MemberData(nameof(LibraryProjectData), MemberType = typeof(PackedPackages))]
    public void Package_Lib_HasAssemblyAndXmlDocs(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var libs = package.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal)).Select(e => e.FullName).Order(StringComparer.Ordinal);
        Assert.Equal([$"lib/net10.0/{project}.dll", $"lib/net10.0/{project}.xml"], libs);

        Assert.Equal(project, AssemblyName(ReadAll(package, $"lib/net10.0/{project}.dll")));
        var docs = System.Xml.Linq.XDocument.Parse(Encoding.UTF8.GetString(ReadAll(package, $"lib/net10.0/{project}.xml")));
        Assert.Equal(project, docs.Root!.Element("assembly")!.Element("name")!.Value);
        Assert.NotEmpty(docs.Root!.Element("members")!.Elements("member"));
    }

    [Theory]
    [MemberData(nameof(LibraryProjectData), MemberType = typeof(PackedPackages))]
    public void SymbolPackage_PortablePdb_MatchesAssembly(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        using var symbols = packed.Open(packed.SymbolPackagePath(project));
        Assert.Equal([$"lib/net10.0/{project}.pdb"], symbols.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal)).Select(e => e.FullName));

        AssertPdbMatchesAssembly(ReadAll(package, $"lib/net10.0/{project}.dll"), ReadAll(symbols, $"lib/net10.0/{project}.pdb"));
    }

    [Theory]
    [MemberData(nameof(LibraryProjectData), MemberType = typeof(PackedPackages))]
    public void SymbolPackage_PdbDocuments_AreMappedAndLinkedToTheCommit(string project)
    {
        using var symbols = packed.Open(packed.SymbolPackagePath(project));
        AssertPdbDocumentsMappedAndLinked(ReadAll(symbols, $"lib/net10.0/{project}.pdb"), project, packed.Commit);
    }

    [Theory]
    [MemberData(nameof(LibraryProjectData), MemberType = typeof(PackedPackages))]
    public void Binaries_ContainNoBuildMachinePath(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        using var symbols = packed.Open(packed.SymbolPackagePath(project));
        AssertNoBuildMachinePath($"{project}.dll", ReadAll(package, $"lib/net10.0/{project}.dll"), packed.RepositoryRoot);
        AssertNoBuildMachinePath($"{project}.pdb", ReadAll(symbols, $"lib/net10.0/{project}.pdb"), packed.RepositoryRoot);
    }

    [Theory]
    [MemberData(nameof(LibraryProjectData), MemberType = typeof(PackedPackages))]
    public void PackedAssembly_InternalsVisibleTo_OnlyTestAssemblies(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        AssertFriendsAreTestAssemblies(ReadAll(package, $"lib/net10.0/{project}.dll"), project);
    }
}
