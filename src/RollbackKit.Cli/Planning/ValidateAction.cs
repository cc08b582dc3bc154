using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Metrics;
using RollbackKit.Notifications;

namespace RollbackKit.Cli.Planning;

/// <summary>Runs <c>rollbackkit validate</c>.</summary>
internal static class ValidateAction
{
    public static async Task<int> RunAsync(FileInfo config, string section, InvocationConfiguration invocation, CancellationToken cancellationToken)
    {
        using var host = ApplicationHost.Build(config, section, JournalUse.Scratch);
        var problems = StartupChecks.Run(host);
        if (problems.Count > 0)
        {
            await invocation.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"configuration is invalid: {problems.Count} problem(s)")).ConfigureAwait(false);
            foreach (var problem in problems)
            {
                await invocation.Error.WriteLineAsync(problem.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            return ExitCodes.InvalidInput;
        }

        foreach (var line in Summary(host))
        {
            await invocation.Output.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    /// <summary>"configuration is valid" and what the configuration holds.</summary>
    public static IEnumerable<string> Summary(ApplicationHost host)
    {
        var options = host.Services.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
        var sources = host.Services.GetServices<IMetricSource>().Select(static s => s.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var notifiers = host.Services.GetServices<INotifier>().Select(static n => n.Name).ToArray();
        var playbooks = options.Targets.Select(t => t.Playbook ?? options.Playbook).Distinct().ToList();
        if (options.Targets.Count == 0)
        {
            playbooks.Add(options.Playbook);
        }

        var steps = playbooks.SelectMany(static p => p.Steps).ToArray();
        yield return "configuration is valid";
        yield return Line("targets", options.Targets.Count, options.Targets.Select(static t => t.Id));
        yield return Line("triggers", options.Triggers.Count, options.Triggers.Select(static t => t.Name));
        yield return Line("queries", options.Queries.Count, options.Queries.Select(static q => q.Name));
        yield return Line("sources", sources.Length, sources);
        yield return Line("steps", steps.Length, steps.Select(static s => s.Type).Distinct(StringComparer.OrdinalIgnoreCase));
        yield return Line("notifiers", notifiers.Length, notifiers);
        yield return Line("adapters", host.Adapters.Count, host.Adapters);
        foreach (var path in host.UncheckedSections)
        {
            yield return $"  note: {path} belongs to RollbackKit.AspNetCore, which this tool does not load; it was not checked.";
        }
    }

    private static string Line(string label, int count, IEnumerable<string> names)
    {
        var list = string.Join(", ", names);
        return string.Create(CultureInfo.InvariantCulture, $"  {label + ":",-11}{count}{(list.Length == 0 ? string.Empty : " (" + list + ")")}");
    }
}
