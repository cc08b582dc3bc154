using RollbackKit.Playbooks;

namespace RollbackKit.Hosting;

/// <summary>
/// Creates step contexts carrying the application's services (<see cref="PlaybookStepContext.Services"/>), so that steps written
/// by users can resolve what they need. The service provider stays here, in hosting; the workflow only sees the factory.
/// </summary>
internal sealed class ServiceProviderStepContextFactory(IServiceProvider services, TimeProvider timeProvider) : IStepContextFactory
{
    public PlaybookStepContext Create(string rollbackId, RollbackRequest request, IEvidenceSink evidence) =>
        new(rollbackId, request, evidence, services, timeProvider);
}
