using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;

namespace RollbackKit.Packaging.Tests;

/// <summary>Checks on a packed assembly and its portable PDB, shared by the library and the tool package tests.</summary>
internal static class AssemblyInspection
{
    private static readonly Guid s_sourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly Guid s_embeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    /// <summary>The assembly's simple name.</summary>
    public static string AssemblyName(byte[] dll)
    {
        using var peReader = new PEReader(new MemoryStream(dll));
        var reader = peReader.GetMetadataReader();
        return reader.GetString(reader.GetAssemblyDefinition().Name);
    }

    /// <summary>The PDB id is the assembly's CodeView guid (the debugger accepts this PDB for this dll); paths are mapped.</summary>
    public static void AssertPdbMatchesAssembly(byte[] dll, byte[] pdbBytes)
    {
        using var peReader = new PEReader(new MemoryStream(dll));
        var codeView = peReader.ReadCodeViewDebugDirectoryData(peReader.ReadDebugDirectory().Single(e => e.Type == DebugDirectoryEntryType.CodeView));
        using var pdb = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(pdbBytes));
        var reader = pdb.GetMetadataReader();

        Assert.Equal(codeView.Guid, new BlobContentId(reader.DebugMetadataHeader!.Id).Guid);
        Assert.StartsWith("/_", codeView.Path, StringComparison.Ordinal);
        Assert.NotEmpty(reader.Documents);
    }

    /// <summary>
    /// Every document path is mapped (/_/...), the project's own sources are there, SourceLink points at the built
    /// commit, and generated files (AssemblyInfo, global usings; not in git) have their text embedded.
    /// </summary>
    public static void AssertPdbDocumentsMappedAndLinked(byte[] pdbBytes, string project, string commit)
    {
        using var pdb = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(pdbBytes));
        var reader = pdb.GetMetadataReader();

        var names = reader.Documents.Select(h => reader.GetString(reader.GetDocument(h).Name)).ToArray();
        Assert.All(names, n => Assert.StartsWith("/_", n, StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith($"/_/src/{project}/", StringComparison.Ordinal));

        var sourceLink = CustomDebugInformation(reader, EntityHandle.ModuleDefinition, s_sourceLinkKind);
        Assert.NotNull(sourceLink);
        Assert.Contains($"\"/_/*\":\"https://raw.githubusercontent.com/rollbackkit/rollbackkit/{commit}/*\"", Encoding.UTF8.GetString(sourceLink), StringComparison.Ordinal);

        var generated = reader.Documents.Where(h => reader.GetString(reader.GetDocument(h).Name).EndsWith(".AssemblyInfo.cs", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(generated);
        Assert.All(generated, h => Assert.NotNull(CustomDebugInformation(reader, h, s_embeddedSourceKind)));
    }

    /// <summary>No path of the build machine (repository, temp folder, home folders) in UTF-8 or UTF-16.</summary>
    public static void AssertNoBuildMachinePath(string name, byte[] bytes, string repositoryRoot)
    {
        var paths = new[] { repositoryRoot, Path.GetTempPath().TrimEnd('/'), "/work/", "/tmp/", "/root/", "/home/" };
        foreach (var path in paths)
        {
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(path)) < 0, $"{name} contains '{path}' (UTF-8)");
            Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(path)) < 0, $"{name} contains '{path}' (UTF-16)");
        }
    }

    /// <summary>The assembly names given by the assembly's InternalsVisibleTo attributes.</summary>
    public static List<string> InternalsVisibleTo(byte[] dll)
    {
        using var peReader = new PEReader(new MemoryStream(dll));
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

        return friends;
    }

    /// <summary>Friends are test assemblies only, and the project's own test assembly is one of them.</summary>
    public static void AssertFriendsAreTestAssemblies(byte[] dll, string project)
    {
        var friends = InternalsVisibleTo(dll);
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
