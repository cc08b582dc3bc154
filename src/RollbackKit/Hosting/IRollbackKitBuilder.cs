using Microsoft.Extensions.DependencyInjection;

namespace RollbackKit;

/// <summary>Returned by <c>services.AddRollbackKit()</c>; adapter packages add extension methods to it (<c>.AddPrometheus()</c>, <c>.AddKubernetes()</c>, …).</summary>
public interface IRollbackKitBuilder
{
    /// <summary>The application's service collection.</summary>
    IServiceCollection Services { get; }
}
