using System.Buffers.Binary;
using System.Xml.Linq;
using static RollbackKit.Packaging.Tests.PackedPackages;

namespace RollbackKit.Packaging.Tests;

/// <summary>The nuspec of every package: identity, licence, repository, icon, readme, tags, description, dependencies.</summary>
[Collection(PackFixture.Name)]
public sealed class PackageMetadataTests(PackedPackages packed)
{
    private const string RepositoryUrl = "https://github.com/rollbackkit/rollbackkit";

    [Fact]
    public void Pack_EverySrcProject_ProducesPackageAndSymbolPackage()
    {
        Assert.NotEmpty(packed.Projects);
        var produced = Directory.GetFiles(packed.OutputDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        // A tool carries its PDBs inside the package (see ToolPackageTests): no symbol package for it.
        var expected = packed.Projects
            .SelectMany(p => packed.IsTool(p)
                ? new[] { Path.GetFileName(packed.PackagePath(p)) }
                : new[] { Path.GetFileName(packed.PackagePath(p)), Path.GetFileName(packed.SymbolPackagePath(p)) })
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(expected, produced);
    }

    [Fact]
    public void Pack_Output_HasNoWarnings()
    {
        var warnings = packed.PackOutput.Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.True(warnings.Length == 0, "dotnet pack warned:\n" + string.Join('\n', warnings));
    }

    [Theory]
    [MemberData(nameof(ProjectData), MemberType = typeof(PackedPackages))]
    public void Nuspec_IdentityAndLicence_AreSet(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var metadata = Metadata(package);

        Assert.Equal(project, Element(metadata, "id")?.Value);
        Assert.Equal(packed.ExpectedVersion, Element(metadata, "version")?.Value);
        Assert.Equal("RollbackKit contributors", Element(metadata, "authors")?.Value);
        var license = Element(metadata, "license");
        Assert.NotNull(license);
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);
        Assert.Equal(RepositoryUrl, Element(metadata, "projectUrl")?.Value);
    }

    [Theory]
    [MemberData(nameof(ProjectData), MemberType = typeof(PackedPackages))]
    public void Nuspec_Repository_NamesPublicUrlAndBuiltCommit(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var repository = Element(Metadata(package), "repository");

        Assert.NotNull(repository);
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Equal(RepositoryUrl, repository.Attribute("url")?.Value);
        Assert.Equal(packed.Commit, repository.Attribute("commit")?.Value);
    }

    [Theory]
    [MemberData(nameof(ProjectData), MemberType = typeof(PackedPackages))]
    public void Package_Icon_IsThe128PixelPng(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var icon = Element(Metadata(package), "icon")?.Value;
        Assert.Equal("icon.png", icon);

        var png = ReadAll(package, icon!);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal(128, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(128, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(packed.RepositoryRoot, "eng", "icon.png")), png);
    }

    [Theory]
    [MemberData(nameof(ProjectData), MemberType = typeof(PackedPackages))]
    public void Package_Readme_IsTheProjectReadme(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var readme = Element(Metadata(package), "readme")?.Value;
        Assert.Equal("README.md", readme);

        var text = System.Text.Encoding.UTF8.GetString(ReadAll(package, readme!));
        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.Equal(File.ReadAllText(Path.Combine(packed.RepositoryRoot, "src", project, "README.md")), text);
    }

    [Theory]
    [MemberData(nameof(ProjectData), MemberType = typeof(PackedPackages))]
    public void Nuspec_TagsAndDescription_AreThePackagesOwn(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var metadata = Metadata(package);
        var tags = Tags(metadata);
        var description = Element(metadata, "description")?.Value ?? "";

        // The shared base: tags every package carries (RollbackKitBaseTags). Each package adds its own.
        var shared = new HashSet<string>(tags);
        foreach (var other in packed.Projects)
        {
            using var otherPackage = packed.Open(packed.PackagePath(other));
            shared.IntersectWith(Tags(Metadata(otherPackage)));
        }

        var own = tags.Except(shared).ToArray();
        Assert.True(own.Length > 0, $"{project} has only the shared tags: {string.Join(' ', tags)}");
        Assert.Contains("rollbackkit", shared);
        Assert.True(description.Length >= 40, $"{project}: description too short: '{description}'");
        Assert.NotEqual("Package Description", description);

        foreach (var other in packed.Projects.Where(p => p != project))
        {
            using var otherPackage = packed.Open(packed.PackagePath(other));
            var otherMetadata = Metadata(otherPackage);
            Assert.False(Tags(otherMetadata).SetEquals(tags), $"{project} and {other} have the same tags");
            Assert.NotEqual(Element(otherMetadata, "description")?.Value, description);
        }
    }

    [Fact]
    public void Nuspec_PackageType_IsDotnetToolExactlyForTools()
    {
        Assert.Contains("RollbackKit.Cli", packed.Tools);
        foreach (var project in packed.Projects)
        {
            using var package = packed.Open(packed.PackagePath(project));
            var types = Element(Metadata(package), "packageTypes")?.Elements().Select(e => e.Attribute("name")?.Value ?? "").ToArray() ?? [];
            if (packed.IsTool(project))
            {
                Assert.Equal(["DotnetTool"], types);
            }
            else
            {
                Assert.True(types.Length == 0, $"{project} is a library but declares package types {string.Join(' ', types)}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(LibraryProjectData), MemberType = typeof(PackedPackages))]
    public void Nuspec_Dependencies_AreShippedPackagesOrLibraries(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var dependencies = Element(Metadata(package), "dependencies");
        Assert.NotNull(dependencies);
        var group = Assert.Single(dependencies.Elements(), e => e.Name.LocalName == "group");
        Assert.Equal("net10.0", group.Attribute("targetFramework")?.Value);

        var forbidden = new[] { "xunit", "NSubstitute", "Microsoft.NET.Test.Sdk", "Microsoft.SourceLink", "Microsoft.Build.Tasks.Git", "Microsoft.CodeAnalysis", "BenchmarkDotNet" };
        foreach (var dependency in group.Elements().Where(e => e.Name.LocalName == "dependency"))
        {
            var id = dependency.Attribute("id")!.Value;
            var version = dependency.Attribute("version")?.Value;
            Assert.False(string.IsNullOrEmpty(version), $"{project} -> {id} has no version");
            Assert.DoesNotContain(forbidden, f => id.StartsWith(f, StringComparison.OrdinalIgnoreCase));
            if (id.StartsWith("RollbackKit", StringComparison.Ordinal))
            {
                Assert.Contains(id, packed.Projects);
                Assert.Equal(packed.ExpectedVersion, version);
            }
        }

        if (project != "RollbackKit")
        {
            Assert.Contains(group.Elements(), d => d.Attribute("id")?.Value == "RollbackKit");
        }
    }

    private static HashSet<string> Tags(XElement metadata) =>
        [.. (Element(metadata, "tags")?.Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)];
}
