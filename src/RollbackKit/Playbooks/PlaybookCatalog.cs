using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace RollbackKit.Playbooks;

/// <summary>Builds each target's playbook (its own, else the default) once and keeps it.</summary>
internal sealed class PlaybookCatalog(PlaybookBuilder builder, IOptions<PlaybookOptions> options)
{
    private readonly PlaybookOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, BuiltPlaybook> _built = new(StringComparer.Ordinal);

    /// <summary>The built playbook of a target.</summary>
    /// <exception cref="PlaybookConfigurationException">The playbook is invalid.</exception>
    public BuiltPlaybook Get(string targetId)
    {
        if (_built.TryGetValue(targetId, out var built))
        {
            return built;
        }

        var definition = _options.TargetPlaybooks.TryGetValue(targetId, out var own) ? own : _options.DefaultPlaybook;
        built = builder.Build(definition);
        return _built.GetOrAdd(targetId, built);
    }
}

/// <summary>Creates the context a step runs with. Implemented where the application's services are known.</summary>
internal interface IStepContextFactory
{
    /// <summary>A context for one step of a rollback.</summary>
    PlaybookStepContext Create(string rollbackId, RollbackRequest request, IEvidenceSink evidence);
}
