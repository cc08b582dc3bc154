namespace RollbackKit.Cli.Tests.Planning;

/// <summary>appsettings files for validate, plan check and drill.</summary>
internal static class PlanConfigs
{
    /// <summary>A complete plan: an http check, a delay, verification by one trigger, a Slack webhook.</summary>
    public static string Good(string directory, string prometheus = "http://127.0.0.1:9/", string health = "http://127.0.0.1:9/health", string slack = "http://127.0.0.1:9/hook") => $$"""
        {
          "RollbackKit": {
            "Targets": [ { "Id": "shop/checkout", "Labels": { "namespace": "shop", "name": "checkout" } } ],
            "Queries": [ { "Name": "error_rate", "Expression": "vector(0.001)" } ],
            "Triggers": [ { "Name": "errors", "Condition": "error_rate > 0.05", "For": "1m", "Severity": "Critical" } ],
            "Playbook": {
              "Budget": "1m",
              "Steps": [
                { "Type": "http", "Name": "health", "Timeout": "10s", "ExpectedDuration": "5s", "Settings": { "url": "{{health}}" } },
                { "Type": "delay", "Name": "settle", "Timeout": "10s", "ExpectedDuration": "2s", "Settings": { "duration": "1s" } },
                { "Type": "http", "Name": "recheck", "Timeout": "10s", "ExpectedDuration": "5s", "Settings": { "url": "{{health}}" } }
              ]
            },
            "Prometheus": { "BaseAddress": "{{prometheus}}" },
            "Workflow": {
              "JournalPath": "{{Json(Path.Combine(directory, "journal", "journal.jsonl"))}}",
              "EvidenceDirectory": "{{Json(Path.Combine(directory, "evidence"))}}",
              "VerificationWindow": "0s"
            },
            "Slack": { "WebhookUrl": "{{slack}}", "Channel": "#deploys", "MinimumMessageInterval": "0s" }
          }
        }
        """;

    /// <summary>Eight problems at once, in RollbackKit's own settings and in two adapters' sections.</summary>
    public static string Bad(string directory) => $$$"""
        {
          "RollbackKit": {
            "Targets": [
              { "Id": "shop/checkout", "Labels": { "namespace": "shop" }, "Playbook": { "Steps": [
                { "Type": "http", "Settings": { "url": "not a url" } },
                { "Type": "kubernetes.undoo" }
              ] } }
            ],
            "Queries": [ { "Name": "error_rate", "Expression": "rate(http_errors{app=\"{{name}}\"}[1m])" } ],
            "Triggers": [ { "Name": "errors", "Condition": "error_rat > 0.05", "For": "soon" } ],
            "Workflow": { "JournalPath": "{{{Json(Path.Combine(directory, "journal", "journal.jsonl"))}}}", "Cooldown": "-1m" },
            "Prometheus": { "BaseAddress": "ftp://metrics" },
            "Slack": { "Channel": "#deploys" }
          }
        }
        """;

    /// <summary>Valid, but incomplete plans: see <c>PlanCheckCommandTests</c>.</summary>
    public static string Incomplete(string directory) => $$"""
        {
          "RollbackKit": {
            "Targets": [
              { "Id": "shop/checkout", "Labels": { "name": "checkout" } },
              { "Id": "shop/cart", "Labels": { "name": "cart" }, "Playbook": { "Budget": "30s", "Steps": [
                { "Type": "http", "Name": "health", "Timeout": "20s", "Retries": 1, "RetryDelay": "5s", "Settings": { "url": "http://127.0.0.1:9/" } },
                { "Type": "command", "Name": "purge-cache", "Timeout": "10s", "Arguments": [ "/bin/true" ] },
                { "Type": "kubernetes.undoo", "Timeout": "5s" }
              ] } }
            ],
            "Queries": [ { "Name": "error_rate", "Expression": "vector(0)" } ],
            "Triggers": [ { "Name": "errors", "Condition": "error_rate > 0.05", "Action": "AlertOnly" } ],
            "Playbook": { "Steps": [ { "Type": "delay", "Name": "wait", "Timeout": "10s", "Settings": { "duration": "1s" } } ] },
            "Prometheus": { "BaseAddress": "http://127.0.0.1:9/" },
            "Workflow": { "JournalPath": "{{Json(Path.Combine(directory, "journal", "journal.jsonl"))}}" }
          },
          "RollbackKitPlan": { "PointsOfNoReturn": [ { "Target": "shop/checkout", "Step": "migrate" } ] }
        }
        """;

    private static string Json(string text) => System.Text.Json.JsonEncodedText.Encode(text).ToString();
}
