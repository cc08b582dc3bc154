using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Workflow;

namespace RollbackKit.Cli.Planning;

/// <summary>
/// Every check an application runs when it starts, run offline and collected instead of stopping at the first: options
/// validation of RollbackKit and of each adapter (<see cref="IStartupValidator"/>, that is every <c>ValidateOnStart</c>: binding
/// problems and unknown keys, durations, playbooks without steps, unknown step types, each step's settings checked by its
/// adapter's factory, query placeholders, triggers and sources), the creation of the hosted services and of the rollback
/// controller, and whether the configured journal could be opened for writing (without creating or writing it). Nothing is
/// started: no monitor tick, no request to a server.
/// </summary>
internal static class StartupChecks
{
    /// <summary>The problems, one line each, each starting with its configuration key path; empty when the configuration is valid.</summary>
    public static IReadOnlyList<string> Run(ApplicationHost host)
    {
        var problems = new List<string>();

        // Each adapter's options on their own, then RollbackKit's own: resolving RollbackKit's validator creates the step
        // factories and sources, which read their adapter's options, so one invalid adapter section would hide the rest.
        foreach (var type in host.ValidatedOptionTypes.Where(static t => t != typeof(RollbackKitOptions)))
        {
            ValidateOne(host.Services, type, problems);
        }

        using (var own = host.WithoutAdapterValidation())
        {
            ValidateOne(own.Services, typeof(RollbackKitOptions), problems);
            if (host.ScratchJournal)
            {
                CheckJournal(host, own.ConfiguredJournalPath, problems);
            }
        }

        if (problems.Count == 0)
        {
            // Everything else an application's start validates (ValidateOnStart of any other options), then the creation
            // of the hosted services (monitor, workflow, adapters) and of the rollback controller, as the host does at start.
            try
            {
                host.Services.GetRequiredService<IStartupValidator>().Validate();
                _ = host.Services.GetServices<IHostedService>().ToArray();
                _ = host.Services.GetRequiredService<IRollbackController>();
            }
            catch (OptionsValidationException e)
            {
                problems.AddRange(e.Failures);
            }
            catch (AggregateException e)
            {
                foreach (var inner in e.Flatten().InnerExceptions)
                {
                    problems.Add(inner is OptionsValidationException validation ? string.Join("\n", validation.Failures) : inner.Message);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"{host.Section.Path}: the services cannot be created: {e.Message}");
            }
        }

        return Lines(problems);
    }

    /// <summary>Resolves the options of <paramref name="type"/>, which binds and validates them; adds the failures.</summary>
    private static void ValidateOne(IServiceProvider services, Type type, List<string> problems)
    {
        try
        {
            var monitor = services.GetRequiredService(typeof(IOptionsMonitor<>).MakeGenericType(type));
            _ = monitor.GetType().GetProperty(nameof(IOptionsMonitor<object>.CurrentValue))!.GetValue(monitor);
        }
        catch (Exception e) when (Unwrap(e) is OptionsValidationException validation)
        {
            problems.AddRange(validation.Failures);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problems.Add($"{type.Name}: cannot be created: {Unwrap(e).Message}");
        }
    }

    private static Exception Unwrap(Exception e) => e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e;

    /// <summary>
    /// The configured journal must be writable: an existing file is opened for writing (and closed unchanged); for a file not
    /// yet there, the nearest existing folder must accept a new file (a probe file is created and deleted at once).
    /// </summary>
    private static void CheckJournal(ApplicationHost host, string path, List<string> problems)
    {
        var key = $"{host.Section.Path}:Workflow:JournalPath";
        if (string.IsNullOrWhiteSpace(path))
        {
            // Reported by options validation when it ran against the configured path; with a scratch journal, report it here.
            if (!problems.Any(p => p.StartsWith(key + ":", StringComparison.Ordinal)))
            {
                problems.Add($"{key}: is required.");
            }

            return;
        }

        try
        {
            var full = Path.GetFullPath(path);
            if (File.Exists(full))
            {
                using var stream = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                return;
            }

            var directory = Path.GetDirectoryName(full);
            while (directory is not null && !Directory.Exists(directory))
            {
                if (File.Exists(directory))
                {
                    problems.Add($"{key}: cannot be opened for writing ('{path}'): '{directory}' is a file, not a folder.");
                    return;
                }

                directory = Path.GetDirectoryName(directory);
            }

            if (directory is null)
            {
                problems.Add($"{key}: cannot be opened for writing ('{path}'): no folder of the path exists.");
                return;
            }

            var probe = Path.Combine(directory, ".rollbackkit-validate-" + Guid.NewGuid().ToString("N"));
            try
            {
                using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{key}: cannot be opened for writing ('{path}'): the folder '{directory}' does not accept new files ({e.GetType().Name}).");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            problems.Add($"{key}: cannot be opened for writing ('{path}'): {e.Message}");
        }
    }

    /// <summary>One line per problem, in order, without repeats.</summary>
    private static List<string> Lines(List<string> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = new List<string>();
        foreach (var problem in problems)
        {
            foreach (var line in problem.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (seen.Add(line))
                {
                    lines.Add(line);
                }
            }
        }

        return lines;
    }
}
