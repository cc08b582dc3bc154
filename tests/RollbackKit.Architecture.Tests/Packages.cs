using System.Reflection;

namespace RollbackKit.Architecture.Tests;

/// <summary>The shipped packages, their assemblies and source folders.</summary>
internal static class Packages
{
    /// <summary>Each package with the range of log event ids it owns.</summary>
    public static readonly (string Name, int MinEventId, int MaxEventId)[] All =
    [
        ("RollbackKit", 1, 1199), // 1-999 by area, 1000-1099 groups, 1100-1199 the judge
        ("RollbackKit.Testing", 1200, 1999),
        ("RollbackKit.Prometheus", 2000, 2999),
        ("RollbackKit.Kubernetes", 3000, 3999),
        ("RollbackKit.Helm", 4000, 4999),
        ("RollbackKit.Slack", 5000, 5999),
        ("RollbackKit.PagerDuty", 6000, 6999),
        ("RollbackKit.AspNetCore", 7000, 7999),
        ("RollbackKit.Email", 8000, 8999),
    ];

    public static IEnumerable<object[]> Names => All.Select(static p => new object[] { p.Name });

    public static Assembly Load(string name) => Assembly.Load(name);

    /// <summary>The repository root (the folder holding RollbackKit.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "RollbackKit.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException("RollbackKit.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Every C# source file of the shipped packages, relative to the repository root with '/' separators.</summary>
    public static IEnumerable<string> SourceFiles()
    {
        var src = Path.Combine(RepositoryRoot, "src");
        return Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryRoot, f).Replace('\\', '/'))
            .Where(static f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }
}
