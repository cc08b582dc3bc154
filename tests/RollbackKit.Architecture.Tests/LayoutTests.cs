using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace RollbackKit.Architecture.Tests;

/// <summary>Small parts: short files, few constructor parameters, the service provider only where services are registered.</summary>
public sealed partial class LayoutTests
{
    private const int MaxLines = 500;
    private const int MaxConstructorParameters = 7;

    [Fact]
    public void SourceFiles_AreAtMost500Lines()
    {
        var files = Packages.SourceFiles().ToList();
        Assert.True(files.Count > 100, $"expected the packages' sources, found {files.Count} files");

        var tooLong = files
            .Select(f => (File: f, Lines: File.ReadLines(Path.Combine(Packages.RepositoryRoot, f)).Count()))
            .Where(static f => f.Lines > MaxLines)
            .Select(static f => $"{f.File}: {f.Lines} lines")
            .ToList();

        Assert.Empty(tooLong);
    }

    [Theory]
    [MemberData(nameof(Packages.Names), MemberType = typeof(Packages))]
    public void Constructors_TakeAtMostSevenParameters(string package)
    {
        var types = Packages.Load(package).GetTypes().Where(static t => !t.IsDefined(typeof(CompilerGeneratedAttribute)) && !typeof(Delegate).IsAssignableFrom(t));

        var offenders = types
            .SelectMany(static t => t.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            .Where(static c => c.GetParameters().Length > MaxConstructorParameters)
            .Select(static c => $"{c.DeclaringType!.FullName}({c.GetParameters().Length} parameters)")
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void ServiceProvider_AppearsOnlyUnderHostingFolders()
    {
        // PlaybookStepContext.Services stays public so that code steps written by users can resolve their own services.
        string[] allowed = ["src/RollbackKit/Playbooks/IPlaybookStep.cs"];

        // The rollbackkit tool is an application, not a library: its commands build the user's host and inspect the
        // container (validate, plan check, drill), so the rule is for the packages applications reference.
        var offenders = Packages.SourceFiles()
            .Where(static f => !f.Contains("/Hosting/", StringComparison.Ordinal))
            .Where(static f => !f.StartsWith("src/RollbackKit.Cli/", StringComparison.Ordinal))
            .Where(f => !allowed.Contains(f))
            .Where(static f => ServiceProviderPattern().IsMatch(File.ReadAllText(Path.Combine(Packages.RepositoryRoot, f))))
            .ToList();

        Assert.Empty(offenders);
    }

    [GeneratedRegex(@"\bIServiceProvider\b")]
    private static partial Regex ServiceProviderPattern();
}
