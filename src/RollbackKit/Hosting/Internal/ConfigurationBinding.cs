using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RollbackKit.Internal;

/// <summary>
/// The subsections of RollbackKit's section that other options bind (<c>Slack</c>, <c>Kubernetes:LeaseLock</c>, …), so that
/// strict binding of the enclosing options does not report them as unknown keys. One instance per service collection.
/// </summary>
internal sealed class ConfigurationSubsections
{
    private readonly ConcurrentDictionary<string, byte> _subsections = new(StringComparer.OrdinalIgnoreCase);

    public static ConfigurationSubsections Get(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(ConfigurationSubsections) && descriptor.ImplementationInstance is ConfigurationSubsections existing)
            {
                return existing;
            }
        }

        var created = new ConfigurationSubsections();
        services.AddSingleton(created);
        return created;
    }

    public void Add(string subsection) => _subsections.TryAdd(subsection, 0);

    /// <summary>The child keys of <paramref name="path"/> that belong to other options, given RollbackKit's section path.</summary>
    public IReadOnlyCollection<string> ChildrenOf(string rootPath, string path)
    {
        var result = new List<string>();
        foreach (var subsection in _subsections.Keys)
        {
            var full = rootPath + ":" + subsection;
            if (full.Length > path.Length + 1 && full.StartsWith(path + ":", StringComparison.OrdinalIgnoreCase))
            {
                var rest = full[(path.Length + 1)..];
                var colon = rest.IndexOf(':', StringComparison.Ordinal);
                result.Add(colon < 0 ? rest : rest[..colon]);
            }
        }

        return result;
    }
}

/// <summary>Problems found while binding <typeparamref name="TOptions"/>, per options name, reported at start by the validators.</summary>
internal sealed class ConfigurationBindingErrors<TOptions>
    where TOptions : class
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _errors = new(StringComparer.Ordinal);

    public void Set(string? name, IReadOnlyList<string> errors) => _errors[name ?? Options.DefaultName] = errors;

    public IReadOnlyList<string> Get(string? name) => _errors.TryGetValue(name ?? Options.DefaultName, out var errors) ? errors : [];

    /// <summary>Binds strictly and records what went wrong.</summary>
    public void Bind(string? name, IConfiguration? section, TOptions options, string path, ConfigurationSubsections? subsections, string rootPath)
    {
        if (section is null)
        {
            return;
        }

        var errors = new List<string>();
        StrictConfigurationBinder.Bind(section, options, path, errors, subsections is null ? null : p => subsections.ChildrenOf(rootPath, p));
        Set(name, errors);
    }
}

/// <summary>The result of a validation: one failure per problem, each starting with its key path.</summary>
internal static class StartupProblems
{
    public static ValidateOptionsResult Result(List<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}

/// <summary>
/// The one validator of an adapter's options: reports the binding problems, then the adapter's own checks, in one result
/// whose lines each name a key path.
/// </summary>
internal sealed class AdapterOptionsValidator<TOptions>(ConfigurationBindingErrors<TOptions> binding, IValidateOptions<TOptions> inner) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = new List<string>(binding.Get(name));
        var result = inner.Validate(name, options);
        if (result.Failed && result.Failures is not null)
        {
            errors.AddRange(result.Failures);
        }

        return StartupProblems.Result(errors);
    }
}
