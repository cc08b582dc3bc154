using RollbackKit;
using RollbackKit.Playbooks;
using RollbackKit.Testing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registrations for <see cref="RollbackKitTestHost"/>.</summary>
public static class TestingRollbackKitBuilderExtensions
{
    /// <summary>
    /// Declares step types that your application registers in code (for example with <c>AddPlaybookStep("my.step", …)</c>), so a
    /// configuration that uses them loads in <see cref="RollbackKitTestHost.FromConfiguration"/> without your delegates; the test
    /// host records their executions like every other step. Outside the test host such a step fails when run.
    /// </summary>
    /// <param name="builder">The RollbackKit builder.</param>
    /// <param name="stepTypes">The step types, as written in the configuration's <c>Type</c>.</param>
    /// <returns>The builder.</returns>
    public static IRollbackKitBuilder AddRecordedSteps(this IRollbackKitBuilder builder, params string[] stepTypes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(stepTypes);
        foreach (var type in stepTypes)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(type);
            builder.Services.AddSingleton<IPlaybookStepFactory>(new DeclaredStepFactory(type));
        }

        return builder;
    }
}
