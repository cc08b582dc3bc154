using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RollbackKit.Architecture.Tests;

/// <summary>One log class per package, event ids that never collide; registration methods where .NET users look for them.</summary>
public sealed class TelemetryConventionTests
{
    private static List<(string Method, int EventId)> LogMessages(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(static t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(static m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(static x => x.Attribute is not null)
            .Select(static x => (x.Method.DeclaringType!.FullName + "." + x.Method.Name, x.Attribute!.EventId))
            .ToList();

    [Theory]
    [MemberData(nameof(Packages.Names), MemberType = typeof(Packages))]
    public void LogMessages_HaveUniqueEventIdsInThePackageRange(string package)
    {
        var (_, min, max) = Packages.All.Single(p => p.Name == package);
        var messages = LogMessages(Packages.Load(package));

        Assert.All(messages, m => Assert.True(m.EventId >= min && m.EventId <= max, $"{m.Method}: event id {m.EventId} is outside {min}-{max}"));
        var duplicates = messages.GroupBy(static m => m.EventId).Where(static g => g.Count() > 1)
            .Select(static g => $"{g.Key}: {string.Join(", ", g.Select(static m => m.Method))}");
        Assert.Empty(duplicates);
    }

    [Theory]
    [MemberData(nameof(Packages.Names), MemberType = typeof(Packages))]
    public void LogMessages_LiveInOneLogClassPerPackage(string package)
    {
        var classes = LogMessages(Packages.Load(package)).Select(static m => m.Method[..m.Method.LastIndexOf('.')]).Distinct().ToList();

        Assert.True(classes.Count <= 1, $"{package} declares log messages in {string.Join(", ", classes)}");
    }

    [Fact]
    public void CorePackage_HasLogMessages()
    {
        Assert.True(LogMessages(typeof(RollbackKit.Telemetry.RollbackKitTelemetry).Assembly).Count >= 10);
    }

    [Theory]
    [MemberData(nameof(Packages.Names), MemberType = typeof(Packages))]
    public void RegistrationMethods_LiveInTheDependencyInjectionNamespace(string package)
    {
        var registrations = Packages.Load(package).GetExportedTypes()
            .SelectMany(static t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Where(static m => m.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute), false))
            .Where(static m => m.GetParameters()[0].ParameterType is var p && (p == typeof(IServiceCollection) || p == typeof(IRollbackKitBuilder)))
            .ToList();

        var misplaced = registrations
            .Where(static m => m.DeclaringType!.Namespace != "Microsoft.Extensions.DependencyInjection")
            .Select(static m => $"{m.DeclaringType!.FullName}.{m.Name}")
            .ToList();

        Assert.Empty(misplaced);
    }
}
