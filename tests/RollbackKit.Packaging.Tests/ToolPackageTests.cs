using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Xml.Linq;
using static RollbackKit.Packaging.Tests.AssemblyInspection;
using static RollbackKit.Packaging.Tests.PackedPackages;

namespace RollbackKit.Packaging.Tests;

/// <summary>
/// A .NET tool package (PackAsTool): its published output under tools/net10.0/any/, the DotnetToolSettings.xml that
/// names the command, and everything bundled (no package dependencies). Symbols: a tool runs from the installed package,
/// so each of our assemblies has its portable PDB next to it in the .nupkg (file and line in a crash, no symbol server);
/// no .snupkg repeats them. Our bundled assemblies are held to the library rules: mapped paths, SourceLink, test-only friends.
/// </summary>
[Collection(PackFixture.Name)]
public sealed class ToolPackageTests(PackedPackages packed)
{
    private const string ToolFolder = "tools/net10.0/any/";

    [Theory]
    [MemberData(nameof(ToolProjectData), MemberType = typeof(PackedPackages))]
    public void Tool_Package_HasToolLayoutAndEntryPoint(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var names = package.Entries.Select(e => e.FullName).ToArray();

        Assert.DoesNotContain(names, n => n.StartsWith("lib/", StringComparison.Ordinal));
        Assert.Contains($"{ToolFolder}{project}.runtimeconfig.json", names);
        Assert.Contains($"{ToolFolder}{project}.deps.json", names);

        var dll = ReadAll(package, $"{ToolFolder}{project}.dll");
        Assert.Equal(project, AssemblyName(dll));
        using var peReader = new PEReader(new MemoryStream(dll));
        Assert.NotEqual(0, peReader.PEHeaders.CorHeader!.EntryPointTokenOrRelativeVirtualAddress);

        using var runtimeConfig = JsonDocument.Parse(ReadAll(package, $"{ToolFolder}{project}.runtimeconfig.json"));
        Assert.Equal("net10.0", runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("tfm").GetString());
    }

    [Theory]
    [MemberData(nameof(ToolProjectData), MemberType = typeof(PackedPackages))]
    public void Tool_Settings_NameTheCommandAndEntryPoint(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var settings = XDocument.Parse(System.Text.Encoding.UTF8.GetString(ReadAll(package, $"{ToolFolder}DotnetToolSettings.xml")).TrimStart('\uFEFF'));

        var command = Assert.Single(settings.Root!.Elements("Commands").Elements("Command"));
        var expectedName = ProjectProperty(packed.RepositoryRoot, project, "ToolCommandName");
        Assert.False(string.IsNullOrEmpty(expectedName), $"{project} sets no ToolCommandName");
        Assert.Equal(expectedName, command.Attribute("Name")?.Value);
        Assert.Equal($"{project}.dll", command.Attribute("EntryPoint")?.Value);
        Assert.Equal("dotnet", command.Attribute("Runner")?.Value);
    }

    [Fact]
    public void Cli_Command_IsRollbackkit()
    {
        using var package = packed.Open(packed.PackagePath("RollbackKit.Cli"));
        var settings = XDocument.Parse(System.Text.Encoding.UTF8.GetString(ReadAll(package, $"{ToolFolder}DotnetToolSettings.xml")).TrimStart('\uFEFF'));
        Assert.Equal("rollbackkit", settings.Root!.Element("Commands")!.Element("Command")!.Attribute("Name")?.Value);
    }

    [Theory]
    [MemberData(nameof(ToolProjectData), MemberType = typeof(PackedPackages))]
    public void Tool_Symbols_ArePortablePdbsNextToOurAssemblies_WithoutSymbolPackage(string project)
    {
        Assert.False(File.Exists(packed.SymbolPackagePath(project)), $"{project}: a tool carries its PDBs in the .nupkg; no .snupkg expected");
        using var package = packed.Open(packed.PackagePath(project));

        var ours = OurAssemblies(package);
        Assert.Contains(project, ours);
        foreach (var assembly in ours)
        {
            var pdb = ReadAll(package, $"{ToolFolder}{assembly}.pdb");
            AssertPdbMatchesAssembly(ReadAll(package, $"{ToolFolder}{assembly}.dll"), pdb);
            AssertPdbDocumentsMappedAndLinked(pdb, assembly, packed.Commit);
        }
    }

    [Theory]
    [MemberData(nameof(ToolProjectData), MemberType = typeof(PackedPackages))]
    public void Tool_OurBinaries_ContainNoBuildMachinePath(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var ours = OurAssemblies(package);
        Assert.Contains(project, ours);
        foreach (var assembly in ours)
        {
            AssertNoBuildMachinePath($"{assembly}.dll", ReadAll(package, $"{ToolFolder}{assembly}.dll"), packed.RepositoryRoot);
            AssertNoBuildMachinePath($"{assembly}.pdb", ReadAll(package, $"{ToolFolder}{assembly}.pdb"), packed.RepositoryRoot);
        }

        foreach (var file in new[] { $"{project}.deps.json", $"{project}.runtimeconfig.json", "DotnetToolSettings.xml" })
        {
            AssertNoBuildMachinePath(file, ReadAll(package, ToolFolder + file), packed.RepositoryRoot);
        }
    }

    [Theory]
    [MemberData(nameof(ToolProjectData), MemberType = typeof(PackedPackages))]
    public void Tool_OurAssemblies_InternalsVisibleTo_OnlyTestAssemblies(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var ours = OurAssemblies(package);
        Assert.Contains(project, ours);
        foreach (var assembly in ours)
        {
            AssertFriendsAreTestAssemblies(ReadAll(package, $"{ToolFolder}{assembly}.dll"), assembly);
        }
    }

    [Theory]
    [MemberData(nameof(ToolProjectData), MemberType = typeof(PackedPackages))]
    public void Tool_BundlesItsDependencies_AndNoDevelopmentFiles(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var dependencies = Element(Metadata(package), "dependencies");
        Assert.True(dependencies is null || !dependencies.Descendants().Any(e => e.Name.LocalName == "dependency"), $"{project}: a tool installs no package dependencies");

        var files = package.Entries.Where(e => e.FullName.StartsWith(ToolFolder, StringComparison.Ordinal)).Select(e => e.FullName[ToolFolder.Length..]).ToArray();
        // The referenced RollbackKit packages travel inside the tool, with the rest of its runtime dependencies.
        var references = XDocument.Load(Path.Combine(packed.RepositoryRoot, "src", project, project + ".csproj"))
            .Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value)).ToArray();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.Contains($"{r}.dll", files));

        var forbidden = new[] { "xunit", "NSubstitute", "Microsoft.NET.Test.Sdk", "Microsoft.TestPlatform", "Microsoft.SourceLink", "Microsoft.Build", "Microsoft.CodeAnalysis", "BenchmarkDotNet" };
        Assert.All(files, f => Assert.DoesNotContain(forbidden, x => Path.GetFileName(f).StartsWith(x, StringComparison.OrdinalIgnoreCase)));
        // XML docs of the bundled libraries serve no one running a command; the only XML is the tool settings.
        Assert.Equal(["DotnetToolSettings.xml"], files.Where(f => f.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>Our assemblies in the tool folder: RollbackKit and RollbackKit.* (built from src/ by the pack).</summary>
    private string[] OurAssemblies(ZipArchive package) =>
        [.. package.Entries
            .Where(e => e.FullName.StartsWith(ToolFolder, StringComparison.Ordinal) && !e.FullName[ToolFolder.Length..].Contains('/', StringComparison.Ordinal))
            .Select(e => e.Name)
            .Where(n => n.EndsWith(".dll", StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => packed.Projects.Contains(n!))
            .Order(StringComparer.Ordinal)!];
}
