using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using static RollbackKit.Packaging.Tests.PackedPackages;

namespace RollbackKit.Packaging.Tests;

/// <summary>
/// What a package carries: the assembly with its XML docs, a portable PDB in the symbol package whose source paths are
/// mapped (no build machine path) with SourceLink to the built commit, and friends limited to test assemblies.
/// </summary>
[Collection(PackFixture.Name)]
public sealed class PackageContentTests(PackedPackages packed)
{
    private static readonly Guid s_sourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly Guid s_embeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    [Theory]
    [MemberData(nameof(ProjectData), MemberType = typeof(PackedPackages))]
    public void Package_Lib_HasAssemblyAndXmlDocs(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        var libs = package.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal)).Select(e => e.FullName).Order(StringComparer.Ordinal);
        Assert.Equal([$"lib/net10.0/{project}.dll", $"lib/net10.0/{project}.xml"], libs);

        using var peReader = new PEReader(new MemoryStream(ReadAll(package, $"lib/net10.0/{project}.dll")));
        Assert.Equal(project, peReader.GetMetadataReader().GetString(peReader.GetMetadataReader().GetAssemblyDefinition().Name));
        var docs = System.Xml.Linq.XDocument.Parse(Encoding.UTF8.GetString(ReadAll(package, $"lib/net10.0/{project}.xml")));
        Assert.Equal(project, docs.Root!.Element("assembly")!.Element("name")!.Value);
        Assert.NotEmpty(docs.Root!.Element("members")!.Elements("member"));
    }

    [Theory]
    [MemberData(nameof(ProjectData), MemberType = typeof(PackedPackages))]
    public void SymbolPackage_PortablePdb_MatchesAssembly(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        using var symbols = packed.Open(packed.SymbolPackagePath(project));
        Assert.Equal([$"lib/net10.0/{project}.pdb"], symbols.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal)).Select(e => e.FullName));

        using var peReader = new PEReader(new MemoryStream(ReadAll(package, $"lib/net10.0/{project}.dll")));
        var codeView = peReader.ReadCodeViewDebugDirectoryData(peReader.ReadDebugDirectory().Single(e => e.Type == DebugDirectoryEntryType.CodeView));
        using var pdb = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(ReadAll(symbols, $"lib/net10.0/{project}.pdb")));
        var reader = pdb.GetMetadataReader();

        // The PDB id is the assembly's CodeView guid: the debugger accepts this PDB for this dll.
        Assert.Equal(codeView.Guid, new BlobContentId(reader.DebugMetadataHeader!.Id).Guid);
        Assert.StartsWith("/_", codeView.Path, StringComparison.Ordinal);
        Assert.NotEmpty(reader.Documents);
    }

    [Theory]
    [MemberData(nameof(ProjectData), MemberType = typeof(PackedPackages))]
    public void SymbolPackage_PdbDocuments_AreMappedAndLinkedToTheCommit(string project)
    {
        using var symbols = packed.Open(packed.SymbolPackagePath(project));
        using var pdb = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(ReadAll(symbols, $"lib/net10.0/{project}.pdb")));
        var reader = pdb.GetMetadataReader();

        var names = reader.Documents.Select(h => reader.GetString(reader.GetDocument(h).Name)).ToArray();
        Assert.All(names, n => Assert.StartsWith("/_", n, StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith($"/_/src/{project}/", StringComparison.Ordinal));

        var sourceLink = CustomDebugInformation(reader, EntityHandle.ModuleDefinition, s_sourceLinkKind);
        Assert.NotNull(sourceLink);
        Assert.Contains($"\"/_/*\":\"https://raw.githubusercontent.com/rollbackkit/rollbackkit/{packed.Commit}/*\"", Encoding.UTF8.GetString(sourceLink), StringComparison.Ordinal);

        // Generated files (AssemblyInfo, global usings) are not in git: their text is embedded instead.
        var generated = reader.Documents.Where(h => reader.GetString(reader.GetDocument(h).Name).EndsWith(".AssemblyInfo.cs", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(generated);
        Assert.All(generated, h => Assert.NotNull(CustomDebugInformation(reader, h, s_embeddedSourceKind)));
    }

    [Theory]
    [MemberData(nameof(ProjectData), MemberType = typeof(PackedPackages))]
    public void Binaries_ContainNoBuildMachinePath(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        using var symbols = packed.Open(packed.SymbolPackagePath(project));
        var files = new Dictionary<string, byte[]>
        {
            [$"{project}.dll"] = ReadAll(package, $"lib/net10.0/{project}.dll"),
            [$"{project}.pdb"] = ReadAll(symbols, $"lib/net10.0/{project}.pdb"),
        };
        var paths = new[] { packed.RepositoryRoot, Path.GetTempPath().TrimEnd('/'), "/work/", "/tmp/", "/root/", "/home/" };

        foreach (var (name, bytes) in files)
        {
            foreach (var path in paths)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(path)) < 0, $"{name} contains '{path}' (UTF-8)");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(path)) < 0, $"{name} contains '{path}' (UTF-16)");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ProjectData), MemberType = typeof(PackedPackages))]
    public void PackedAssembly_InternalsVisibleTo_OnlyTestAssemblies(string project)
    {
        using var package = packed.Open(packed.PackagePath(project));
        using var peReader = new PEReader(new MemoryStream(ReadAll(package, $"lib/net10.0/{project}.dll")));
        var reader = peReader.GetMetadataReader();

        var friends = new List<string>();
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (AttributeTypeName(reader, attribute) != "System.Runtime.CompilerServices.InternalsVisibleToAttribute")
            {
                continue;
            }

            var value = reader.GetBlobReader(attribute.Value);
            Assert.Equal(1, value.ReadUInt16()); // custom attribute prolog
            friends.Add(value.ReadSerializedString()!);
        }

        Assert.Contains($"{project}.Tests", friends);
        Assert.All(friends, f => Assert.Matches(@"^RollbackKit(\.[A-Za-z]+)*\.Tests$", f));
    }

    private static byte[]? CustomDebugInformation(MetadataReader reader, EntityHandle parent, Guid kind)
    {
        foreach (var handle in reader.GetCustomDebugInformation(parent))
        {
            var information = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(information.Kind) == kind)
            {
                return reader.GetBlobBytes(information.Value);
            }
        }

        return null;
    }

    private static string AttributeTypeName(MetadataReader reader, CustomAttribute attribute)
    {
        var type = attribute.Constructor.Kind switch
        {
            HandleKind.MemberReference => reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent,
            HandleKind.MethodDefinition => reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType(),
            _ => default(EntityHandle),
        };
        return type.Kind switch
        {
            HandleKind.TypeReference => reader.GetString(reader.GetTypeReference((TypeReferenceHandle)type).Namespace) + "." + reader.GetString(reader.GetTypeReference((TypeReferenceHandle)type).Name),
            HandleKind.TypeDefinition => reader.GetString(reader.GetTypeDefinition((TypeDefinitionHandle)type).Namespace) + "." + reader.GetString(reader.GetTypeDefinition((TypeDefinitionHandle)type).Name),
            _ => "",
        };
    }
}
