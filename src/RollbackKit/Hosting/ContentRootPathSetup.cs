using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Internal;

namespace RollbackKit.Hosting;

/// <summary>
/// Resolves the relative file paths of <see cref="RollbackKitOptions"/> (journal, evidence directory) against the host's
/// content root once every configuration step ran, before validation; without a registered <see cref="IHostEnvironment"/>
/// they stay relative to the current directory.
/// </summary>
internal sealed class ContentRootPathSetup(IHostEnvironment? environment = null) : IPostConfigureOptions<RollbackKitOptions>
{
    public void PostConfigure(string? name, RollbackKitOptions options)
    {
        if (environment is null)
        {
            return;
        }

        var workflow = options.Workflow;
        workflow.JournalPath = ContentRootPath.Resolve(environment, workflow.JournalPath)!;
        workflow.EvidenceDirectory = ContentRootPath.Resolve(environment, workflow.EvidenceDirectory)!;
    }
}
