using System.Reflection;
using Microsoft.Extensions.Logging;

namespace RollbackKit.AspNetCore.Tests.Hosting;

public sealed class LogEventIdTests
{
    [Theory]
    [InlineData("RollbackKit.AspNetCore", 7000, 7999)]
    public void LoggerMessages_EventIdsAreUniqueAndInThePackageRange(string assemblyName, int min, int max)
    {
        var assembly = Assembly.Load(assemblyName);
        var messages = assembly.GetTypes()
            .SelectMany(static t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(static m => (Method: m.DeclaringType!.FullName + "." + m.Name, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(static x => x.Attribute is not null)
            .ToList();

        Assert.NotEmpty(messages);
        Assert.All(messages, x => Assert.True(x.Attribute!.EventId >= min && x.Attribute.EventId <= max, $"{x.Method}: event id {x.Attribute.EventId} is outside {min}-{max}"));
        var duplicates = messages.GroupBy(static x => x.Attribute!.EventId).Where(static g => g.Count() > 1).Select(static g => g.Key + ": " + string.Join(", ", g.Select(static x => x.Method)));
        Assert.Empty(duplicates);
    }
}
