using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace RollbackKit.Cli.Operations;

/// <summary>Consoles for the operator commands: tables on standard output, warnings on standard error.</summary>
internal static class OperatorConsole
{
    /// <summary>A console on <paramref name="writer"/>; wide when it is not a terminal, so that piped tables do not wrap.</summary>
    public static IAnsiConsole Create(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (!console.Profile.Out.IsTerminal)
        {
            console.Profile.Width = 200;
        }

        return console;
    }

    /// <summary>The command's standard output.</summary>
    public static TextWriter Output(ParseResult parseResult) => parseResult.InvocationConfiguration.Output;

    /// <summary>The command's standard error.</summary>
    public static TextWriter Error(ParseResult parseResult) => parseResult.InvocationConfiguration.Error;

    /// <summary>Writes <paramref name="value"/> as one line of JSON in the API's wire format.</summary>
    public static async Task WriteJsonAsync<T>(TextWriter writer, T value, JsonTypeInfo<T> type)
    {
        await writer.WriteLineAsync(JsonSerializer.Serialize(value, type)).ConfigureAwait(false);
        await writer.FlushAsync().ConfigureAwait(false);
    }
}
