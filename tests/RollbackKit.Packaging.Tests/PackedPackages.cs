using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace RollbackKit.Packaging.Tests;

/// <summary>
/// Runs <c>dotnet pack -c Release</c> once over every <c>src/*/*.csproj</c> (through a solution filter of
/// RollbackKit.sln, so a package missing from the solution fails the pack) with its own artifacts folder and package
/// output in a temporary directory, then exposes the packages for inspection.
/// </summary>
public sealed class PackedPackages : IDisposable
{
    private readonly string _temp;

    public PackedPackages()
    {
        RepositoryRoot = FindRepositoryRoot();
        Projects = ProjectNames(RepositoryRoot);
        _temp = Path.Combine(Path.GetTempPath(), "rollbackkit-pack-" + Guid.NewGuid().ToString("N")[..12]);
        OutputDirectory = Path.Combine(_temp, "packages");
        Directory.CreateDirectory(OutputDirectory);

        var filter = Path.Combine(_temp, "src.slnf");
        var projects = Projects.Select(p => $"src/{p}/{p}.csproj").ToArray();
        File.WriteAllText(filter, JsonSerializer.Serialize(new
        {
            solution = new { path = Path.Combine(RepositoryRoot, "RollbackKit.sln"), projects },
        }));

        try
        {
            PackOutput = Run(
                "dotnet",
                RepositoryRoot,
                "pack", filter, "-c", "Release", "-nologo", "--disable-build-servers",
                "--artifacts-path", Path.Combine(_temp, "artifacts"),
                "-p:PackageOutputPath=" + OutputDirectory);
            Commit = Run("git", RepositoryRoot, "rev-parse", "HEAD").Trim();
            ExpectedVersion = XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Build.props"))
                .Descendants("Version").Single().Value;
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor failed.
            Dispose();
            throw;
        }
    }

    /// <summary>The folder holding RollbackKit.sln.</summary>
    public string RepositoryRoot { get; }

    /// <summary>Names of the src projects, which are also their package ids.</summary>
    public IReadOnlyList<string> Projects { get; }

    /// <summary>Where the .nupkg and .snupkg files were written.</summary>
    public string OutputDirectory { get; }

    /// <summary>What <c>dotnet pack</c> printed.</summary>
    public string PackOutput { get; }

    /// <summary>The commit checked out (HEAD), which the packages must name.</summary>
    public string Commit { get; }

    /// <summary>The Version set in Directory.Build.props.</summary>
    public string ExpectedVersion { get; }

    /// <summary>The src projects packed as .NET tools (PackAsTool); every other one is a library package.</summary>
    public IReadOnlyList<string> Tools => [.. Projects.Where(p => IsTool(RepositoryRoot, p))];

    /// <summary>The project names as xunit theory data, found on disk at discovery time.</summary>
    public static TheoryData<string> ProjectData => [.. ProjectNames(FindRepositoryRoot())];

    /// <summary>The library packages (lib/net10.0/, symbols in a .snupkg).</summary>
    public static TheoryData<string> LibraryProjectData =>
        [.. ProjectNames(FindRepositoryRoot()).Where(p => !IsTool(FindRepositoryRoot(), p))];

    /// <summary>The tool packages (tools/net10.0/any/, symbols inside the package).</summary>
    public static TheoryData<string> ToolProjectData =>
        [.. ProjectNames(FindRepositoryRoot()).Where(p => IsTool(FindRepositoryRoot(), p))];

    /// <summary>A csproj property as written in the project file, or null.</summary>
    public static string? ProjectProperty(string repositoryRoot, string project, string name) =>
        XDocument.Load(Path.Combine(repositoryRoot, "src", project, project + ".csproj"))
            .Descendants(name).SingleOrDefault()?.Value.Trim();

    public bool IsTool(string project) => IsTool(RepositoryRoot, project);

    public string PackagePath(string id) => Path.Combine(OutputDirectory, $"{id}.{ExpectedVersion}.nupkg");

    public string SymbolPackagePath(string id) => Path.Combine(OutputDirectory, $"{id}.{ExpectedVersion}.snupkg");

    /// <summary>Opens a package, failing with the pack output when it is missing.</summary>
    public ZipArchive Open(string path)
    {
        Assert.True(File.Exists(path), $"{Path.GetFileName(path)} was not produced. dotnet pack printed:\n{PackOutput}");
        return ZipFile.OpenRead(path);
    }

    /// <summary>The nuspec's metadata element.</summary>
    public static XElement Metadata(ZipArchive package)
    {
        var entry = package.Entries.Single(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.Name.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = entry.Open();
        var document = XDocument.Load(stream);
        return document.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    public static XElement? Element(XElement parent, string name) =>
        parent.Elements().SingleOrDefault(e => e.Name.LocalName == name);

    public static byte[] ReadAll(ZipArchive package, string entryName)
    {
        var entry = package.GetEntry(entryName);
        Assert.True(entry is not null, $"entry '{entryName}' missing; entries: {string.Join(", ", package.Entries.Select(e => e.FullName))}");
        using var stream = entry!.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_temp, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary folder does not change any result.
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RollbackKit.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RollbackKit.sln not found above " + AppContext.BaseDirectory);
    }

    private static bool IsTool(string root, string project) =>
        string.Equals(ProjectProperty(root, project, "PackAsTool"), "true", StringComparison.OrdinalIgnoreCase);

    private static string[] ProjectNames(string root) =>
        [.. Directory.GetDirectories(Path.Combine(root, "src"))
            .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!];

    private static string Run(string fileName, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host may run under MSBuild-specific variables of the outer `dotnet test`; the pack must not inherit them.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // A guard against a hung build, not a performance assertion.
        if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} did not finish:\n{output}");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
        }

        lock (output)
        {
            return output.ToString();
        }
    }
}
