using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RollbackKit.Cli.Backtest;

/// <summary>
/// The documented JSON form of a backtest (docs/backtest.md, "JSON output"). Property names and shapes are a contract:
/// add properties, never rename or remove them. Times are RFC 3339 in UTC (<c>2026-12-01T10:00:15Z</c>); a value with no
/// data is <c>null</c>.
/// </summary>
internal static class BacktestJson
{
    public static BacktestJsonDocument ToDocument(BacktestReport report)
    {
        var fires = new List<BacktestJsonFire>(report.Fires.Count);
        foreach (var fire in report.Fires)
        {
            fires.Add(new BacktestJsonFire(fire.Target, fire.Trigger, Utc(fire.At), fire.Severity, fire.Action, fire.Decision, fire.Reason, Values(fire.Values), fire.Group, fire.RollbackId));
        }

        var targets = new List<BacktestJsonTarget>(report.Targets.Count);
        foreach (var target in report.Targets)
        {
            var triggers = new List<BacktestJsonTrigger>(target.Triggers.Count);
            foreach (var trigger in target.Triggers)
            {
                var points = new List<BacktestJsonPoint>(trigger.Points.Count);
                foreach (var point in trigger.Points)
                {
                    points.Add(new BacktestJsonPoint(Utc(point.At), Values(point.Values), point.Failed, point.State, point.Outcome, Number(point.Actual), Number(point.Threshold), point.Why));
                }

                triggers.Add(new BacktestJsonTrigger(trigger.Name, trigger.Condition, points));
            }

            var judges = new List<BacktestJsonJudge>(target.Judges.Count);
            foreach (var judge in target.Judges)
            {
                var points = new List<BacktestJsonJudgePoint>(judge.Points.Count);
                foreach (var point in judge.Points)
                {
                    var metrics = new List<BacktestJsonJudgeMetric>(point.Metrics.Count);
                    foreach (var m in point.Metrics)
                    {
                        metrics.Add(new BacktestJsonJudgeMetric(m.Name, m.Outcome, Number(m.PValue), Number(m.Effect), Number(m.CanaryMedian), Number(m.BaselineMedian), m.CanaryCount, m.BaselineCount));
                    }

                    points.Add(new BacktestJsonJudgePoint(Utc(point.At), Number(point.Score), point.Classification, point.State, point.FailedMetrics, point.Fired, point.Error, metrics));
                }

                judges.Add(new BacktestJsonJudge(judge.Name, judge.Metrics, FormatDuration(judge.Window), FormatDuration(judge.Step), FormatDuration(judge.Interval), judge.PassScore, judge.MarginalScore, points));
            }

            targets.Add(new BacktestJsonTarget(target.Id, triggers, judges));
        }

        return new BacktestJsonDocument(Utc(report.From), Utc(report.To), FormatDuration(report.Step), fires, targets, report.Errors, report.Warnings);
    }

    /// <summary>Writes the document, indented, to <paramref name="path"/> (or standard output for <c>-</c>).</summary>
    public static async Task WriteAsync(BacktestReport report, Stream stream, CancellationToken cancellationToken)
    {
        await JsonSerializer.SerializeAsync(stream, ToDocument(report), BacktestJsonContext.Default.BacktestJsonDocument, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The compact JSON embedded in the HTML report (HTML-sensitive characters escaped by the default encoder).</summary>
    public static string ToEmbeddedJson(BacktestReport report) =>
        JsonSerializer.Serialize(ToDocument(report), BacktestJsonContext.Compact.BacktestJsonDocument);

    /// <summary>A duration as configuration writes it: <c>15s</c>, <c>1m30s</c>, <c>2h</c>, <c>500ms</c>.</summary>
    public static string FormatDuration(TimeSpan value) => value <= TimeSpan.Zero ? "0s" : RollbackKitDuration.Format(value);

    private static DateTime Utc(DateTimeOffset value) => DateTime.SpecifyKind(value.UtcDateTime, DateTimeKind.Utc);

    private static double? Number(double value) => double.IsFinite(value) ? value : null;

    private static SortedDictionary<string, double?> Values(IReadOnlyDictionary<string, double> values)
    {
        var result = new SortedDictionary<string, double?>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            result[name] = Number(value);
        }

        return result;
    }
}

/// <summary>The root: <c>{"from","to","step","fires":[…],"targets":[…],"errors":[…],"warnings":[…]}</c>.</summary>
internal sealed record BacktestJsonDocument(
    [property: JsonPropertyName("from")] DateTime From,
    [property: JsonPropertyName("to")] DateTime To,
    [property: JsonPropertyName("step")] string Step,
    [property: JsonPropertyName("fires")] IReadOnlyList<BacktestJsonFire> Fires,
    [property: JsonPropertyName("targets")] IReadOnlyList<BacktestJsonTarget> Targets,
    [property: JsonPropertyName("errors")] IReadOnlyList<string> Errors,
    [property: JsonPropertyName("warnings")] IReadOnlyList<string> Warnings);

/// <summary>A fire: <c>{"target","trigger","at","severity","action","decision","reason","values","group","rollbackId"}</c>.</summary>
internal sealed record BacktestJsonFire(
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("trigger")] string Trigger,
    [property: JsonPropertyName("at")] DateTime At,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("decision")] string Decision,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("values")] SortedDictionary<string, double?> Values,
    [property: JsonPropertyName("group")] string? Group,
    [property: JsonPropertyName("rollbackId")] string? RollbackId);

/// <summary>A target: <c>{"id","triggers":[…],"judges":[…]}</c>.</summary>
internal sealed record BacktestJsonTarget(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("triggers")] IReadOnlyList<BacktestJsonTrigger> Triggers,
    [property: JsonPropertyName("judges")] IReadOnlyList<BacktestJsonJudge> Judges);

/// <summary>A judge trigger: <c>{"name","metrics","window","step","interval","passScore","marginalScore","points":[…]}</c>.</summary>
internal sealed record BacktestJsonJudge(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("metrics")] IReadOnlyList<string> Metrics,
    [property: JsonPropertyName("window")] string Window,
    [property: JsonPropertyName("step")] string Step,
    [property: JsonPropertyName("interval")] string Interval,
    [property: JsonPropertyName("passScore")] double PassScore,
    [property: JsonPropertyName("marginalScore")] double MarginalScore,
    [property: JsonPropertyName("points")] IReadOnlyList<BacktestJsonJudgePoint> Points);

/// <summary>A judgement: <c>{"at","score","classification","state","failedMetrics","fired","error","metrics":[…]}</c>.</summary>
internal sealed record BacktestJsonJudgePoint(
    [property: JsonPropertyName("at")] DateTime At,
    [property: JsonPropertyName("score")] double? Score,
    [property: JsonPropertyName("classification")] string? Classification,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("failedMetrics")] IReadOnlyList<string> FailedMetrics,
    [property: JsonPropertyName("fired")] bool Fired,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("metrics")] IReadOnlyList<BacktestJsonJudgeMetric> Metrics);

/// <summary>One metric of a judgement: <c>{"name","outcome","pValue","effect","canaryMedian","baselineMedian","canaryCount","baselineCount"}</c>.</summary>
internal sealed record BacktestJsonJudgeMetric(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("pValue")] double? PValue,
    [property: JsonPropertyName("effect")] double? Effect,
    [property: JsonPropertyName("canaryMedian")] double? CanaryMedian,
    [property: JsonPropertyName("baselineMedian")] double? BaselineMedian,
    [property: JsonPropertyName("canaryCount")] int CanaryCount,
    [property: JsonPropertyName("baselineCount")] int BaselineCount);

/// <summary>A trigger: <c>{"name","condition","points":[…]}</c>.</summary>
internal sealed record BacktestJsonTrigger(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("condition")] string Condition,
    [property: JsonPropertyName("points")] IReadOnlyList<BacktestJsonPoint> Points);

/// <summary>A step: <c>{"at","values","failed","state","outcome","actual","threshold","why"}</c>.</summary>
internal sealed record BacktestJsonPoint(
    [property: JsonPropertyName("at")] DateTime At,
    [property: JsonPropertyName("values")] SortedDictionary<string, double?> Values,
    [property: JsonPropertyName("failed")] bool Failed,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("actual")] double? Actual,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("why")] string Why);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(BacktestJsonDocument))]
internal sealed partial class BacktestJsonContext : JsonSerializerContext
{
    /// <summary>The same contract without indentation, for embedding.</summary>
    public static BacktestJsonContext Compact { get; } = new(new JsonSerializerOptions { WriteIndented = false });
}
