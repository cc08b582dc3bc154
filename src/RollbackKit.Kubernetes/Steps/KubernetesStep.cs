using System.Globalization;
using RollbackKit.Kubernetes.Internal;
using RollbackKit.Playbooks;

namespace RollbackKit.Kubernetes.Steps;

/// <summary>Base of the Kubernetes steps: settings, namespace/name resolution from the target, error mapping.</summary>
internal abstract class KubernetesStep : IPlaybookStep
{
    protected KubernetesStep(PlaybookStepDefinition definition, KubernetesApi api)
    {
        Definition = definition;
        Api = api;
        Name = string.IsNullOrWhiteSpace(definition.Name) ? definition.Type : definition.Name;
    }

    public string Name { get; }

    protected PlaybookStepDefinition Definition { get; }

    protected KubernetesApi Api { get; }

    public async ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            return await RunAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException ex)
        {
            return StepResult.Failure(ex.Message, ex.Transient);
        }
        catch (StepSettingException ex)
        {
            return StepResult.Failure(ex.Message, transient: false);
        }
    }

    protected abstract Task<StepResult> RunAsync(PlaybookStepContext context, CancellationToken cancellationToken);

    protected string? Setting(string name) =>
        Definition.Settings.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    protected string Namespace(PlaybookStepContext context) =>
        Setting("namespace") ?? context.Target.GetLabel(TargetLabels.Namespace) ?? Api.Options.DefaultNamespace;

    protected string Workload(PlaybookStepContext context, string setting = "deployment") =>
        Setting(setting) ?? context.Target.GetLabel(TargetLabels.Name)
        ?? throw new StepSettingException($"no {setting} to act on: set Settings:{setting} or give target '{context.Target.Id}' a 'name' label");

    protected long IntSetting(string name, long defaultValue, long min = 0)
    {
        var text = Setting(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
        {
            throw new PlaybookConfigurationException(name, $"'{text}' is not a whole number >= {min}");
        }

        return v;
    }

    protected TimeSpan DurationSetting(string name, TimeSpan defaultValue)
    {
        var text = Setting(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!RollbackKitDuration.TryParse(text, out var v) || v <= TimeSpan.Zero)
        {
            throw new PlaybookConfigurationException(name, $"'{text}' is not a positive duration ({RollbackKitDuration.Expected})");
        }

        return v;
    }
}

/// <summary>A setting or label needed at run time is missing.</summary>
internal sealed class StepSettingException(string message) : Exception(message);

/// <summary>Creates one Kubernetes step type.</summary>
internal sealed class KubernetesStepFactory(string type, Func<PlaybookStepDefinition, IPlaybookStep> create) : IPlaybookStepFactory
{
    public string Type { get; } = type;

    public IPlaybookStep Create(PlaybookStepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return create(definition);
    }
}
