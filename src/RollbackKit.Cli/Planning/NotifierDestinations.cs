using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.Email;
using RollbackKit.Slack;

namespace RollbackKit.Cli.Planning;

/// <summary>
/// Where a notifier sends, for people: a Slack channel, e-mail recipients. Never a secret (tokens, webhook URLs, routing keys).
/// The settings are read once, when created, so it keeps answering while the services shut down.
/// </summary>
internal sealed class NotifierDestinations(IServiceProvider services)
{
    private readonly SlackOptions? _slack = services.GetService<IOptions<SlackOptions>>()?.Value;
    private readonly EmailOptions? _email = services.GetService<IOptions<EmailOptions>>()?.Value;

    /// <summary>The destination of notifier <paramref name="name"/> for a critical (manual) rollback of <paramref name="targetId"/>.</summary>
    public string Describe(string name, string targetId) => name switch
    {
        "log" => "the application log",
        "slack" => Slack(targetId),
        "email" => Email(),
        "pagerduty" => "PagerDuty Events API (the configured routing key)",
        _ => "—",
    };

    private string Slack(string targetId)
    {
        var options = _slack;
        if (options is null)
        {
            return "—";
        }

        if (options.TargetChannels.TryGetValue(targetId, out var byTarget))
        {
            return "channel " + byTarget;
        }

        foreach (var key in new[] { "Critical", "P0" })
        {
            if (options.SeverityChannels.TryGetValue(key, out var bySeverity))
            {
                return "channel " + bySeverity;
            }
        }

        if (!string.IsNullOrEmpty(options.BotToken) && !string.IsNullOrEmpty(options.Channel))
        {
            return "channel " + options.Channel;
        }

        return "incoming webhook" + (string.IsNullOrEmpty(options.Channel) ? string.Empty : $", channel {options.Channel}");
    }

    private string Email()
    {
        var options = _email;
        return options is null || options.To.Count == 0 ? "—" : string.Join(", ", options.To);
    }
}
