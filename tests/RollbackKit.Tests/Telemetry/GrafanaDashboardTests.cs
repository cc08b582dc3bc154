using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Telemetry;

namespace RollbackKit.Tests.Telemetry;

/// <summary>
/// <c>docs/grafana/rollbackkit-dashboard.json</c> names only series the library exports: every metric in every PromQL
/// expression is one of the instruments RollbackKit really creates on its meter, named as the OpenTelemetry Prometheus
/// exporter names it (dots to underscores, the unit as a suffix, <c>_total</c> for counters, <c>_bucket</c>/<c>_sum</c>/<c>_count</c>
/// for histograms), and every label is one of the library's tags (or <c>le</c>, <c>instance</c>, <c>job</c>).
/// </summary>
public partial class GrafanaDashboardTests
{
    private static readonly HashSet<string> s_promQlWords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan",
    };

    private static readonly HashSet<string> s_scrapeLabels = new(StringComparer.Ordinal) { "le", "instance", "job" };

    [Fact]
    public void Dashboard_EveryMetricInEveryExpression_IsExportedByTheLibrary()
    {
        var exported = ExportedSeries();
        var expressions = DashboardExpressions();

        Assert.True(expressions.Count >= 20, $"only {expressions.Count} expressions found");
        var problems = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var expression in expressions)
        {
            var metrics = MetricNames(expression);
            if (metrics.Count == 0)
            {
                problems.Add($"no metric found in '{expression}'");
            }

            foreach (var metric in metrics)
            {
                used.Add(metric);
                if (!exported.Contains(metric))
                {
                    problems.Add($"'{metric}' (in '{expression}') is not a series the library exports");
                }
            }
        }

        Assert.Empty(problems);

        // The panels the dashboard promises are there.
        Assert.Contains("rollbackkit_rollback_started_total", used);
        Assert.Contains("rollbackkit_rollback_failed_total", used);
        Assert.Contains("rollbackkit_rollback_duration_seconds_bucket", used);
        Assert.Contains("rollbackkit_trigger_detection_time_seconds_bucket", used);
        Assert.Contains("rollbackkit_tick_duration_seconds_bucket", used);
        Assert.Contains("rollbackkit_query_errors_total", used);
        Assert.Contains("rollbackkit_notification_deliveries_total", used);
        Assert.Contains("rollbackkit_journal_quarantined_total", used);
        Assert.Contains("rollbackkit_rollback_needs_attention_total", used);
        Assert.Contains("rollbackkit_approval_wait_seconds_bucket", used);
    }

    [Fact]
    public void Dashboard_EveryLabel_IsATagOfTheLibraryOrAScrapeLabel()
    {
        var tags = typeof(RollbackKitTags).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => Sanitize((string)f.GetRawConstantValue()!))
            .ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var expression in DashboardExpressions())
        {
            foreach (var label in LabelNames(expression))
            {
                if (!tags.Contains(label) && !s_scrapeLabels.Contains(label))
                {
                    problems.Add($"label '{label}' (in '{expression}') is not a tag of the library");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void ExportedSeries_FollowTheExporterNamingRules()
    {
        var exported = ExportedSeries();

        // A counter with an annotation unit ({rollback}): no unit suffix, _total.
        Assert.Contains("rollbackkit_rollback_started_total", exported);
        Assert.DoesNotContain("rollbackkit_rollback_started", exported);

        // A histogram in seconds: the unit suffix, then _bucket/_sum/_count.
        Assert.Contains("rollbackkit_tick_duration_seconds_bucket", exported);
        Assert.Contains("rollbackkit_tick_duration_seconds_sum", exported);
        Assert.Contains("rollbackkit_tick_duration_seconds_count", exported);
        Assert.DoesNotContain("rollbackkit_tick_duration_bucket", exported);

        // A name that already ends with the unit's word keeps one suffix.
        Assert.Equal("rollbackkit_trigger_detection_time_seconds", ExportedName("rollbackkit.trigger.detection_time", "s"));
        Assert.Equal("x_duration_seconds", ExportedName("x.duration.seconds", "s"));
        Assert.Equal("x_io_bytes_per_second", ExportedName("x.io", "By/s"));
    }

    [Fact]
    public void MetricNames_AnExpressionNamingAnUnexportedSeries_IsCaught()
    {
        var exported = ExportedSeries();

        // Without _total, the OpenTelemetry name instead of the exported one, a misspelling: each is caught.
        foreach (var wrong in new[]
        {
            "sum(rate(rollbackkit_rollback_started{instance=~\"$instance\"}[$__rate_interval]))",
            "histogram_quantile(0.95, sum by (le) (rate(rollbackkit_rollback_duration_bucket[5m])))",
            "sum by (rollbackkit_query_name) (increase(rollbackkit_query_error_total[$__range]))",
        })
        {
            var metrics = MetricNames(wrong);
            Assert.Single(metrics);
            Assert.DoesNotContain(metrics.Single(), exported);
        }

        // Labels, grouping, strings, ranges and functions are not metrics.
        Assert.Equal(
            ["rollbackkit_rollback_duration_seconds_bucket", "rollbackkit_rollback_duration_seconds_count"],
            MetricNames("histogram_quantile(0.95, sum by (le, rollbackkit_trigger_type) (rate(rollbackkit_rollback_duration_seconds_bucket{rollbackkit_severity=\"P0\", instance=~\"a|b\"}[$__rate_interval]))) / on (instance) group_left sum(rollbackkit_rollback_duration_seconds_count offset 5m)").Order());
    }

    /// <summary>Every series name the library's instruments export: the instruments RollbackKit creates on its meter.</summary>
    private static HashSet<string> ExportedSeries()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRollbackKit();
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IMeterFactory>();
        var instruments = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == RollbackKitTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    lock (instruments)
                    {
                        instruments.Add(instrument);
                    }
                }
            },
        };
        listener.Start();

        // Creating the metrics creates every instrument of the core; the listener then sees each published one.
        provider.GetRequiredService<RollbackKitMetrics>();
        Assert.True(instruments.Count >= 15, $"only {instruments.Count} instruments seen");

        var series = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instrument in instruments)
        {
            var name = ExportedName(instrument.Name, instrument.Unit);
            var type = instrument.GetType().GetGenericTypeDefinition();
            if (type == typeof(Counter<>) || type == typeof(ObservableCounter<>))
            {
                series.Add(name.EndsWith("_total", StringComparison.Ordinal) ? name : name + "_total");
            }
            else if (type == typeof(Histogram<>))
            {
                series.Add(name + "_bucket");
                series.Add(name + "_sum");
                series.Add(name + "_count");
            }
            else
            {
                series.Add(name);
            }
        }

        return series;
    }

    /// <summary>
    /// The name the OpenTelemetry Prometheus exporter (1.20) gives an instrument before type suffixes: invalid characters to
    /// one underscore, then the unit (annotations in braces dropped, abbreviations spelled out, <c>a/b</c> as <c>a_per_b</c>)
    /// appended unless the name already ends with it.
    /// </summary>
    private static string ExportedName(string name, string? unit)
    {
        var sanitized = Sanitize(name);
        if (string.IsNullOrEmpty(unit))
        {
            return sanitized;
        }

        var withoutAnnotations = Annotation().Replace(unit, string.Empty);
        var slash = withoutAnnotations.IndexOf('/', StringComparison.Ordinal);
        var word = slash >= 0 && slash < withoutAnnotations.Length - 1
            ? Unit(withoutAnnotations[..slash]) + "_per_" + PerUnit(withoutAnnotations[(slash + 1)..])
            : Unit(withoutAnnotations);
        return sanitized.EndsWith(word, StringComparison.Ordinal) ? sanitized : sanitized + "_" + word;
    }

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        var lastUnderscore = false;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (i == 0 && char.IsDigit(c))
            {
                builder.Append('_');
                lastUnderscore = true;
            }
            else if (!char.IsLetterOrDigit(c) && c != ':')
            {
                if (!lastUnderscore)
                {
                    builder.Append('_');
                    lastUnderscore = true;
                }
            }
            else
            {
                builder.Append(c);
                lastUnderscore = false;
            }
        }

        return builder.ToString();
    }

    private static string Unit(string unit) => unit switch
    {
        "d" => "days",
        "h" => "hours",
        "min" => "minutes",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "1" => string.Empty,
        "%" => "percent",
        _ => unit,
    };

    private static string PerUnit(string unit) => unit switch
    {
        "s" => "second",
        "m" => "minute",
        "h" => "hour",
        "d" => "day",
        _ => unit,
    };

    /// <summary>Every <c>expr</c> in the dashboard (panel targets and variable queries).</summary>
    private static List<string> DashboardExpressions()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "grafana", "rollbackkit-dashboard.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var expressions = new List<string>();
        Collect(document.RootElement, expressions);
        return expressions;

        static void Collect(JsonElement element, List<string> into)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name is "expr" or "definition" && property.Value.ValueKind == JsonValueKind.String)
                        {
                            into.Add(property.Value.GetString()!);
                        }
                        else
                        {
                            Collect(property.Value, into);
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item, into);
                    }

                    break;
            }
        }
    }

    /// <summary>The metric names of a PromQL expression: identifiers outside strings, label matchers, ranges and grouping lists that are not functions or keywords.</summary>
    internal static HashSet<string> MetricNames(string expression)
    {
        var text = StringLiteral().Replace(expression, "\"\"");
        text = LabelValues().Replace(text, "label_values(${metric})");
        text = Braces().Replace(text, " ");
        text = Brackets().Replace(text, " ");
        text = GroupingList().Replace(text, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Identifier().Matches(text))
        {
            var name = match.Groups["name"].Value;
            var isFunction = match.Groups["call"].Success;
            if (!isFunction && !s_promQlWords.Contains(name))
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>The label names of a PromQL expression: matchers in braces and grouping lists.</summary>
    private static HashSet<string> LabelNames(string expression)
    {
        var text = StringLiteral().Replace(expression, "\"\"");
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match braces in Braces().Matches(text))
        {
            foreach (Match matcher in Matcher().Matches(braces.Value))
            {
                labels.Add(matcher.Groups["label"].Value);
            }
        }

        foreach (Match group in GroupingList().Matches(text))
        {
            foreach (var label in group.Groups["labels"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                labels.Add(label);
            }
        }

        // label_values(metric, label) in variable queries.
        foreach (Match values in LabelValues().Matches(text))
        {
            labels.Add(values.Groups["label"].Value);
        }

        return labels;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RollbackKit.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("RollbackKit.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("\\{[^{}]*\\}")]
    private static partial Regex Annotation();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex("\\{[^{}]*\\}")]
    private static partial Regex Braces();

    [GeneratedRegex("\\[[^\\[\\]]*\\]")]
    private static partial Regex Brackets();

    [GeneratedRegex("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\((?<labels>[^()]*)\\)")]
    private static partial Regex GroupingList();

    // Not preceded by a word character, a dot or '$': skips the unit of 5m, the digits of 0.95 and Grafana's $variables.
    [GeneratedRegex("(?<![A-Za-z0-9_:.$])(?<name>[A-Za-z_:][A-Za-z0-9_:]*)(?<call>\\s*\\()?")]
    private static partial Regex Identifier();

    [GeneratedRegex("(?<label>[A-Za-z_][A-Za-z0-9_]*)\\s*(?:=~|!~|!=|=)")]
    private static partial Regex Matcher();

    [GeneratedRegex("label_values\\((?<metric>[^,()]*),\\s*(?<label>[A-Za-z_][A-Za-z0-9_]*)\\s*\\)")]
    private static partial Regex LabelValues();
}
