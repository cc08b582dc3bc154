using Spectre.Console;

namespace RollbackKit.Cli.Planning;

/// <summary>Spectre consoles for validate, plan check and drill.</summary>
internal static class PlanConsole
{
    /// <summary>A console on <paramref name="writer"/>; very wide when it is not a terminal, so that piped tables never wrap.</summary>
    public static IAnsiConsole Create(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (!console.Profile.Out.IsTerminal)
        {
            console.Profile.Width = 400;
        }

        return console;
    }
}
