using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Tests.Engine;

public class EvaluationEngineConfigurationTests
{
    private static readonly string[] s_queries = ["error_rate", "latency"];

    private static TriggerConfigurationException Fails(TriggerDefinition[] triggers, BaselineDefinition[]? baselines = null, string[]? queries = null) =>
        Assert.Throws<TriggerConfigurationException>(() =>
            new EvaluationEngine([new RollbackTarget("a")], queries ?? s_queries, triggers, baselines));

    private static TriggerDefinition Valid(string name) => new() { Name = name, Condition = "error_rate > 1" };

    [Fact]
    public void Constructor_UnknownName_NamesTriggerFieldAndPosition()
    {
        var bad = Valid("c");
        bad.Condition = "eror_rate > 1";
        var exception = Fails([Valid("a"), Valid("b"), bad]);
        Assert.Equal("Triggers:2:Condition: unknown name 'eror_rate' at 1", exception.Message);
        Assert.Equal(2, exception.TriggerIndex);
        Assert.Equal("Condition", exception.Field);
        Assert.Equal("unknown name 'eror_rate' at 1", exception.Detail);
    }

    [Fact]
    public void Constructor_SyntaxError_NamesPosition()
    {
        var bad = Valid("a");
        bad.Condition = "(error_rate > 1 and latency < 2";
        Assert.Equal("Triggers:0:Condition: expected ')' at 32", Fails([bad]).Message);
    }

    [Fact]
    public void Constructor_DisabledTriggerWithBadCondition_StillFails()
    {
        var bad = Valid("a");
        bad.Enabled = false;
        bad.Condition = "error_rate >";
        Assert.Equal("Condition", Fails([bad]).Field);
    }

    public static TheoryData<string, Action<TriggerDefinition>, string> InvalidFields => new()
    {
        { "empty name", t => t.Name = "", "Triggers:1:Name: required" },
        { "blank name", t => t.Name = "  ", "Triggers:1:Name: required" },
        { "duplicate name", t => t.Name = "first", "Triggers:1:Name: duplicate name 'first' (also Triggers:0)" },
        { "empty condition", t => t.Condition = "", "Triggers:1:Condition: required" },
        { "negative for", t => t.For = TimeSpan.FromSeconds(-1), "Triggers:1:For: must not be negative" },
        { "negative failure limit", t => t.FailureLimit = -1, "Triggers:1:FailureLimit: must not be negative" },
        { "negative consecutive limit", t => t.ConsecutiveFailureLimit = -2, "Triggers:1:ConsecutiveFailureLimit: must not be negative" },
        { "zero error limit", t => t.ErrorLimit = 0, "Triggers:1:ErrorLimit: must be at least 1" },
        { "window without limit", t => t.FailureWindow = TimeSpan.FromMinutes(5), "Triggers:1:FailureWindow: needs FailureLimit" },
        { "zero window", t => { t.FailureLimit = 3; t.FailureWindow = TimeSpan.Zero; }, "Triggers:1:FailureWindow: must be positive" },
        { "huge windowed limit", t => { t.FailureLimit = 5000; t.FailureWindow = TimeSpan.FromMinutes(1); }, "Triggers:1:FailureLimit: must be at most 1000 with a FailureWindow" },
        { "unknown severity", t => t.Severity = (RollbackSeverity)9, "Triggers:1:Severity: unknown value '9'" },
        { "unknown action", t => t.Action = (TriggerAction)9, "Triggers:1:Action: unknown value '9'" },
        { "unknown no-data policy", t => t.NoData = (NoDataPolicy)9, "Triggers:1:NoData: unknown value '9'" },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public void Constructor_InvalidField_NamesKeyPath(string scenario, Action<TriggerDefinition> change, string message)
    {
        var second = Valid("second");
        change(second);
        Assert.True(Fails([Valid("first"), second]).Message == message, scenario);
    }

    [Theory]
    [InlineData(new[] { "error_rate", "error_rate" }, "Queries:1:Name: duplicate name 'error_rate'")]
    [InlineData(new[] { "error-rate" }, "Queries:0:Name: invalid name 'error-rate'; use letters, digits, '_' and '.', starting with a letter or '_'")]
    [InlineData(new[] { "" }, "Queries:0:Name: required")]
    [InlineData(new[] { "AND" }, "Queries:0:Name: 'AND' is a reserved word")]
    public void Constructor_InvalidQueryNames_NameKeyPath(string[] queries, string message) =>
        Assert.Equal(message, Fails([], queries: queries).Message);

    [Fact]
    public void Constructor_InvalidBaselines_NameKeyPath()
    {
        Assert.Equal(
            "Baselines:0:Query: unknown query 'nope'",
            Fails([], [new BaselineDefinition { Name = "baseline.x", Query = "nope" }]).Message);
        Assert.Equal(
            "Baselines:1:Name: duplicate name 'latency'",
            Fails([], [new BaselineDefinition { Name = "baseline.x", Query = "latency" }, new BaselineDefinition { Name = "latency", Query = "latency" }]).Message);
        Assert.Equal(
            "Baselines:0:Window: must be positive",
            Fails([], [new BaselineDefinition { Name = "baseline.x", Query = "latency", Window = TimeSpan.Zero }]).Message);
        Assert.Equal(
            "Baselines:1:Query: unknown query 'baseline.x'",
            Fails([], [new BaselineDefinition { Name = "baseline.x", Query = "latency" }, new BaselineDefinition { Name = "baseline.y", Query = "baseline.x" }]).Message);
    }

    [Fact]
    public void Constructor_ConditionUsingBaselineName_Compiles()
    {
        var trigger = Valid("a");
        trigger.Condition = "error_rate > baseline.error_rate * 2";
        var engine = new EvaluationEngine(
            [new RollbackTarget("a")],
            s_queries,
            [trigger],
            [new BaselineDefinition { Name = "baseline.error_rate", Query = "error_rate" }]);
        Assert.Equal(1, engine.VerdictCount);
    }

    [Fact]
    public void Constructor_NoTargetsOrTriggers_Works()
    {
        var engine = new EvaluationEngine([], s_queries, [Valid("a")]);
        Assert.Equal(0, engine.VerdictCount);
        Assert.Equal(0, engine.Evaluate(DateTimeOffset.UnixEpoch, []));
        var empty = new EvaluationEngine([new RollbackTarget("a")], s_queries, []);
        Assert.Equal(0, empty.Evaluate(DateTimeOffset.UnixEpoch, []));
    }
}
