using Microsoft.Extensions.DependencyInjection;

namespace RollbackKit.Hosting;

internal sealed class RollbackKitBuilder(IServiceCollection services) : IRollbackKitBuilder
{
    public IServiceCollection Services { get; } = services;
}

/// <summary>Marks that AddRollbackKit ran, so a second call adds nothing.</summary>
internal sealed class RollbackKitMarker;
