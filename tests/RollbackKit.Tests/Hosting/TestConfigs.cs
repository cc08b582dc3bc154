using RollbackKit.Playbooks;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Hosting;

/// <summary>Small valid configurations the hosting and monitor tests start from.</summary>
internal static class TestConfigs
{
    public static void ErrorRate(RollbackKitOptions o)
    {
        o.EvaluationInterval = TimeSpan.FromSeconds(30);
        o.Targets.Add(new TargetDefinition { Id = "shop/checkout", Labels = { ["namespace"] = "shop", ["name"] = "checkout" } });
        o.Queries.Add(new() { Name = "canary_error_rate", Expression = "canary{name=\"{{name}}\"}" });
        o.Queries.Add(new() { Name = "baseline_error_rate", Expression = "baseline{name=\"{{name}}\"}" });
        o.Triggers.Add(new TriggerDefinition
        {
            Name = "error-rate",
            Condition = "canary_error_rate > baseline_error_rate * 1.5",
            For = TimeSpan.FromMinutes(5),
            Severity = RollbackSeverity.Critical,
        });
        o.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "recording" });
    }
}
