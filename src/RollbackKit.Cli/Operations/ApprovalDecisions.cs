using System.CommandLine;
using RollbackKit.Operations;

namespace RollbackKit.Cli.Operations;

/// <summary>Sends an approval decision (approve or hold) and says what it did.</summary>
internal static class ApprovalDecisions
{
    public static async Task<int> SendAsync(ParseResult parseResult, Option<string?> serverOption, string run, string action, string? comment, CancellationToken cancellationToken)
    {
        run = run.Trim();
        if (run.Length == 0)
        {
            throw new CliException(ExitCodes.InvalidInput, "run: must not be empty.");
        }

        using var server = OperationOptions.RequireServer(parseResult, serverOption);
        await server.SendAsync(
            HttpMethod.Post,
            $"rollbacks/{Uri.EscapeDataString(run)}/{action}",
            new ApprovalAction { Comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim() },
            OperatorJson.TypeInfo<ApprovalAction>(),
            cancellationToken).ConfigureAwait(false);
        await OperatorConsole.Output(parseResult).WriteLineAsync(action == "approve"
            ? $"Approved rollback {run}: it proceeds."
            : $"Held rollback {run}: its pending approval is rejected and it does not proceed.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
