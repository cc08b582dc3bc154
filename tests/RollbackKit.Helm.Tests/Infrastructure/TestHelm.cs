using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Dispatch;
using RollbackKit.Helm.Internal;
using RollbackKit.Playbooks;

namespace RollbackKit.Helm.Tests.Infrastructure;

/// <summary>Collects evidence items.</summary>
internal sealed class RecordingEvidence : IEvidenceSink
{
    public ConcurrentDictionary<string, string> Items { get; } = new(StringComparer.Ordinal);

    public void Add(string name, string content) => Items[name] = content;
}

internal static class TestHelm
{
    public static HelmCli Cli(HelmOptions options, TimeProvider? time = null) =>
        new(Options.Create(options), new HelmProcessRunner(time ?? TimeProvider.System), new HelmMetrics(TestMeters.Factory));

    public static PlaybookStepContext Context(RecordingEvidence evidence, string release = "web", string? ns = "shop", int attempt = 1)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { [TargetLabels.Name] = release };
        if (ns is not null)
        {
            labels[TargetLabels.Namespace] = ns;
        }

        var request = new RollbackRequest
        {
            Target = new RollbackTarget($"{ns}/{release}", labels),
            TriggerType = RollbackTriggerType.Manual,
            Reason = "test",
        };
        return new PlaybookStepContext("rb-1", request, evidence, new ServiceCollection().BuildServiceProvider(), TimeProvider.System)
        {
            Attempt = attempt,
        };
    }

    public static PlaybookStepDefinition Definition(string type, params (string Key, string Value)[] settings)
    {
        var definition = new PlaybookStepDefinition { Type = type, Timeout = TimeSpan.FromMinutes(2) };
        foreach (var (key, value) in settings)
        {
            definition.Settings[key] = value;
        }

        return definition;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="limit"/> passes (real time; bounded waiting on a real process).</summary>
    public static async Task<bool> PollAsync(Func<bool> condition, TimeSpan limit)
    {
        var started = Environment.TickCount64;
        while (!condition())
        {
            if (Environment.TickCount64 - started > limit.TotalMilliseconds)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    /// <summary>Whether a process with this id is alive (not gone and not a zombie).</summary>
    public static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = System.IO.File.ReadAllText(stat);
            var close = text.LastIndexOf(')');
            return close < 0 || text.Length <= close + 2 || text[close + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }
}
