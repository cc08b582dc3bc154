using CsCheck;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Testing;

namespace RollbackKit.Tests.Hosting;

/// <summary>
/// Random mutations of a valid configuration (a typed value made invalid, a key misspelt) never start with an item
/// dropped: either validation fails naming the mutated key path, or every target, query, trigger and step is bound.
/// </summary>
public sealed class ConfigurationMutationPropertyTests : IDisposable
{
    private static readonly string[] s_badValues = ["Urgent", "5 minutes", "soon", "1x", "-", "three", "1.5.5", "yes please", "00:99:99:99"];

    private readonly string _journal = Path.Combine(Path.GetTempPath(), "rk-prop-" + Guid.NewGuid().ToString("N"), "journal.jsonl");

    public void Dispose()
    {
        if (Path.GetDirectoryName(_journal) is { } directory && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private Dictionary<string, string?> Valid() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["RollbackKit:EvaluationInterval"] = "30s",
        ["RollbackKit:Targets:0:Id"] = "shop/checkout",
        ["RollbackKit:Targets:0:AutoRollback"] = "true",
        ["RollbackKit:Targets:0:Labels:name"] = "checkout",
        ["RollbackKit:Targets:1:Id"] = "shop/cart",
        ["RollbackKit:Targets:1:Labels:name"] = "cart",
        ["RollbackKit:Queries:0:Name"] = "canary_error_rate",
        ["RollbackKit:Queries:0:Expression"] = "errors{name=\"{{name}}\"}",
        ["RollbackKit:Queries:0:Timeout"] = "5s",
        ["RollbackKit:Queries:1:Name"] = "baseline_error_rate",
        ["RollbackKit:Queries:1:Expression"] = "baseline{name=\"{{name}}\"}",
        ["RollbackKit:Triggers:0:Name"] = "error-rate",
        ["RollbackKit:Triggers:0:Condition"] = "canary_error_rate > baseline_error_rate * 1.5",
        ["RollbackKit:Triggers:0:For"] = "5m",
        ["RollbackKit:Triggers:0:Severity"] = "Critical",
        ["RollbackKit:Triggers:0:NoData"] = "Inconclusive",
        ["RollbackKit:Triggers:0:ErrorLimit"] = "3",
        ["RollbackKit:Triggers:1:Name"] = "errors-high",
        ["RollbackKit:Triggers:1:Condition"] = "canary_error_rate > 2",
        ["RollbackKit:Triggers:1:For"] = "00:01:00",
        ["RollbackKit:Triggers:1:Action"] = "AlertOnly",
        ["RollbackKit:Triggers:1:DryRun"] = "false",
        ["RollbackKit:Playbook:Budget"] = "5m",
        ["RollbackKit:Playbook:Steps:0:Type"] = "recording",
        ["RollbackKit:Playbook:Steps:0:Timeout"] = "30s",
        ["RollbackKit:Playbook:Steps:0:Retries"] = "1",
        ["RollbackKit:Playbook:Steps:0:RetryDelay"] = "2s",
        ["RollbackKit:Playbook:Steps:1:Type"] = "recording",
        ["RollbackKit:Playbook:Steps:1:Timeout"] = "1h30m",
        ["RollbackKit:Playbook:Steps:1:ContinueOnFailure"] = "true",
        ["RollbackKit:Workflow:MaxAttemptsPerTarget"] = "3",
        ["RollbackKit:Workflow:Cooldown"] = "10m",
        ["RollbackKit:Workflow:MediumSeverity"] = "AlertOnly",
        ["RollbackKit:Workflow:JournalPath"] = _journal,
    };

    /// <summary>Keys whose value is not free text, so an arbitrary word is not a valid value.</summary>
    private static bool IsTyped(string key) =>
        !key.EndsWith(":Id", StringComparison.Ordinal) && !key.EndsWith(":Name", StringComparison.Ordinal)
        && !key.EndsWith(":Expression", StringComparison.Ordinal) && !key.EndsWith(":Condition", StringComparison.Ordinal)
        && !key.EndsWith(":Type", StringComparison.Ordinal) && !key.EndsWith(":JournalPath", StringComparison.Ordinal)
        && !key.Contains(":Labels:", StringComparison.Ordinal);

    [Fact]
    public void ValidConfiguration_BindsEveryItem()
    {
        var (error, options) = Bind(Valid());
        Assert.Null(error);
        AssertEveryItem(options!);
    }

    [Fact]
    public void InvalidTypedValue_NeverDropsAnItem()
    {
        var keys = Valid().Keys.Where(IsTyped).Order(StringComparer.Ordinal).ToArray();
        Gen.Select(Gen.Int[0, keys.Length - 1], Gen.Int[0, s_badValues.Length - 1])
            .Sample(pick =>
            {
                var config = Valid();
                var key = keys[pick.Item1];
                config[key] = s_badValues[pick.Item2];
                var (error, options) = Bind(config);
                if (error is not null)
                {
                    Assert.Contains(key + ":", error, StringComparison.Ordinal);
                }
                else
                {
                    AssertEveryItem(options!);
                }
            }, iter: 200, threads: 1);
    }

    [Fact]
    public void MisspeltKey_NeverDropsAnItem()
    {
        var keys = Valid().Keys.Where(static k => !k.Contains(":Labels:", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Gen.Select(Gen.Int[0, keys.Length - 1], Gen.Int[0, 2], Gen.Int[0, 100], Gen.Char['a', 'z'])
            .Sample(pick =>
            {
                var (index, kind, position, letter) = pick;
                var config = Valid();
                var key = keys[index];
                var segments = key.Split(':');
                var segment = segments.Length - 1 - (position % Math.Min(3, segments.Length - 1));
                var renamed = Misspell(segments[segment], kind, position, letter);
                if (string.Equals(renamed, segments[segment], StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }

                segments[segment] = renamed;
                var mutated = string.Join(':', segments);
                var mutatedPrefix = string.Join(':', segments.Take(segment + 1));
                var value = config[key];
                config.Remove(key);
                config[mutated] = value;
                var (error, options) = Bind(config);
                if (error is not null)
                {
                    Assert.Contains(mutatedPrefix, error, StringComparison.OrdinalIgnoreCase);
                }
                else
                {
                    AssertEveryItem(options!);
                }
            }, iter: 300, threads: 1);
    }

    private static string Misspell(string text, int kind, int position, char letter)
    {
        var at = position % (text.Length + 1);
        return kind switch
        {
            0 => text.Insert(at, letter.ToString()),
            1 when text.Length > 1 => text.Remove(Math.Min(at, text.Length - 1), 1),
            _ => text[..Math.Min(at, text.Length - 1)] + letter + text[(Math.Min(at, text.Length - 1) + 1)..],
        };
    }

    private static void AssertEveryItem(RollbackKitOptions options)
    {
        Assert.Equal(2, options.Targets.Count);
        Assert.Equal(2, options.Queries.Count);
        Assert.Equal(2, options.Triggers.Count);
        Assert.Equal(2, options.Playbook.Steps.Count);
    }

    private static (string? Error, RollbackKitOptions? Options) Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IMetricSource>(new FakeMetricSource());
        services.AddSingleton<IPlaybookStepFactory>(new RecordingPlaybookStep());
        services.AddRollbackKit();
        using var provider = services.BuildServiceProvider();
        try
        {
            return (null, provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value);
        }
        catch (OptionsValidationException ex)
        {
            return (ex.Message, null);
        }
    }
}
