using Microsoft.Extensions.DependencyInjection.Extensions;
using RollbackKit;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds playbook step types and notifiers to RollbackKit.</summary>
public static class RollbackKitBuilderWorkflowExtensions
{
    /// <summary>
    /// Registers a step type implemented by a delegate. Configure it in a playbook with <c>Type: "<paramref name="type"/>"</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="type">The step type (case-insensitive), for example <c>drain-traffic</c>.</param>
    /// <param name="execute">Runs the step once; timeouts and retries are applied around it.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPlaybookStep(this IRollbackKitBuilder builder, string type, Func<PlaybookStepContext, CancellationToken, ValueTask<StepResult>> execute)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(execute);
        builder.Services.AddSingleton<IPlaybookStepFactory>(new DelegatePlaybookStepFactory(type, execute));
        return builder;
    }

    /// <summary>Registers a step factory (once per type of factory).</summary>
    /// <typeparam name="TFactory">The factory type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddPlaybookStepFactory<TFactory>(this IRollbackKitBuilder builder)
        where TFactory : class, IPlaybookStepFactory
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPlaybookStepFactory, TFactory>());
        return builder;
    }

    /// <summary>Registers a notifier (once per type of notifier); every notifier receives every event.</summary>
    /// <typeparam name="TNotifier">The notifier type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddNotifier<TNotifier>(this IRollbackKitBuilder builder)
        where TNotifier : class, INotifier
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<INotifier, TNotifier>());
        return builder;
    }
}
