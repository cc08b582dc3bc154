using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using RollbackKit.Cli.Backtest;
using RollbackKit.Internal;

namespace RollbackKit.Cli.Commands;

/// <summary>
/// <c>rollbackkit backtest</c>: replays a configuration over Prometheus history and prints what each trigger would have
/// done; optionally writes the JSON result (<c>--json</c>) and the HTML report (<c>--html</c>).
/// </summary>
internal sealed class BacktestCommand : ICliCommand
{
    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    private readonly Option<FileInfo> _config = new("--config", "-c")
    {
        Description = "The appsettings JSON file holding RollbackKit's settings (targets, queries, triggers).",
        Required = true,
    };

    private readonly Option<string> _section = new("--section")
    {
        Description = "The configuration section RollbackKit's settings are in.",
        DefaultValueFactory = static _ => "RollbackKit",
    };

    private readonly Option<Uri?> _prometheus = new("--prometheus")
    {
        Description = "Prometheus base address, e.g. http://127.0.0.1:9090 (overrides <section>:Prometheus:BaseAddress).",
        CustomParser = ParseUri,
    };

    private readonly Option<DateTimeOffset> _from = new("--from")
    {
        Description = "First step, RFC 3339, e.g. 2026-12-01T10:00:00Z.",
        Required = true,
        CustomParser = ParseTime,
    };

    private readonly Option<DateTimeOffset> _to = new("--to")
    {
        Description = "Last instant that may be a step, RFC 3339.",
        Required = true,
        CustomParser = ParseTime,
    };

    private readonly Option<TimeSpan> _step = new("--step")
    {
        Description = "Time between steps (the monitor's evaluation interval): 15s, 1m, 1m30s. Default: 15s.",
        CustomParser = ParseStep,
    };

    private readonly Option<string[]> _targets = new("--target", "-t")
    {
        Description = "Only this target id; repeat for several. Default: every configured target.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private readonly Option<FileInfo?> _json = new("--json")
    {
        Description = "Write the result as JSON to this file (format in docs/backtest.md).",
    };

    private readonly Option<FileInfo?> _html = new("--html")
    {
        Description = "Write a self-contained HTML report (charts, breaches, fires, decisions) to this file.",
    };

    public Command Create()
    {
        var command = new Command(
            "backtest",
            "Replay a RollbackKit configuration over Prometheus history: which triggers would have fired, when, and what the " +
            "dispatcher would have decided.\n" + ExitCodes.HelpText);
        command.Options.Add(_config);
        command.Options.Add(_section);
        command.Options.Add(_prometheus);
        command.Options.Add(_from);
        command.Options.Add(_to);
        command.Options.Add(_step);
        command.Options.Add(_targets);
        command.Options.Add(_json);
        command.Options.Add(_html);
        command.SetAction((parseResult, cancellationToken) => BacktestAction.RunAsync(Settings(parseResult), parseResult.InvocationConfiguration, cancellationToken));
        return command;
    }

    private BacktestSettings Settings(ParseResult parseResult)
    {
        var from = parseResult.GetRequiredValue(_from);
        var to = parseResult.GetRequiredValue(_to);
        if (to <= from)
        {
            throw new CliException(ExitCodes.InvalidInput, $"--to must be after --from (from {from:O}, to {to:O}).");
        }

        var step = parseResult.GetValue(_step);
        return new(
            parseResult.GetRequiredValue(_config),
            parseResult.GetValue(_section) ?? "RollbackKit",
            parseResult.GetValue(_prometheus),
            from,
            to,
            step == TimeSpan.Zero ? TimeSpan.FromSeconds(15) : step,
            parseResult.GetValue(_targets) ?? [],
            parseResult.GetValue(_json),
            parseResult.GetValue(_html));
    }

    private static DateTimeOffset ParseTime(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (DateTimeOffset.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var value)
            && (text.EndsWith('Z') || text.EndsWith('z') || text.Length > 6 && text[^6] is '+' or '-'))
        {
            return value.ToUniversalTime();
        }

        result.AddError($"{OptionName(result)}: '{text}' is not an RFC 3339 time with a zone, such as 2026-12-01T10:00:00Z.");
        return default;
    }

    private static TimeSpan ParseStep(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (DurationParser.TryParse(text, out var value) && value >= TimeSpan.FromSeconds(1))
        {
            return value;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a step of at least 1s: expected {DurationParser.Expected}.");
        return default;
    }

    private static Uri? ParseUri(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not an http or https address such as http://127.0.0.1:9090.");
        return null;
    }

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : "value";
}
