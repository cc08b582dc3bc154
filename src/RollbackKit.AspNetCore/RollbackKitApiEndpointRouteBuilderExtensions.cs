using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RollbackKit.AspNetCore;
using RollbackKit.AspNetCore.Operations;
using RollbackKit.Journal;
using RollbackKit.Operations;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps RollbackKit's management API and dashboard on ASP.NET Core.</summary>
public static class RollbackKitApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the management API under <paramref name="prefix"/>: <c>GET status</c>, <c>GET rollbacks</c>,
    /// <c>GET rollbacks/{id}</c>, <c>GET rollbacks/{id}/evidence</c>, <c>POST rollbacks</c>, <c>POST rollbacks/{id}/approve</c>,
    /// <c>POST rollbacks/{id}/hold</c>, <c>PUT auto-rollback</c>, <c>POST reset-attempts</c>, <c>GET stats</c> and <c>GET dashboard</c>. Every route requires
    /// authorization (<see cref="RollbackKitApiOptions.AuthorizationPolicy"/>, else the default policy); errors are problem details.
    /// </summary>
    /// <param name="endpoints">The application's endpoint builder.</param>
    /// <param name="prefix">The route prefix. Default: <c>/rollbackkit</c>.</param>
    /// <returns>The route group, for adding rate limits, OpenAPI settings or (explicitly) anonymous access.</returns>
    public static RouteGroupBuilder MapRollbackKitApi(this IEndpointRouteBuilder endpoints, string prefix = "/rollbackkit")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var policy = endpoints.ServiceProvider.GetService<IOptions<RollbackKitApiOptions>>()?.Value.AuthorizationPolicy;
        var group = endpoints.MapGroup(prefix).WithTags("RollbackKit");
        if (string.IsNullOrWhiteSpace(policy))
        {
            group.RequireAuthorization();
        }
        else
        {
            group.RequireAuthorization(policy);
        }

        group.MapGet("/status", OperatorEndpoints.StatusAsync)
            .WithName("RollbackKitStatus").WithSummary("Targets, kill switch and active rollbacks with their progress.")
            .Produces<OperatorStatus>(StatusCodes.Status200OK, "application/json");
        group.MapGet("/rollbacks", OperatorEndpoints.RollbacksAsync)
            .WithName("RollbackKitRollbacks").WithSummary("Finished rollbacks from the journal, oldest first.")
            .Produces<RollbackAuditRecord[]>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/rollbacks/{id}", OperatorEndpoints.RollbackAsync)
            .WithName("RollbackKitRollback").WithSummary("The audit record of one rollback.")
            .Produces<RollbackAuditRecord>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/rollbacks/{id}/evidence", OperatorEndpoints.EvidenceAsync)
            .WithName("RollbackKitEvidence").WithSummary("The evidence bundle (zip) of one rollback.")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/rollbacks", OperatorEndpoints.StartRollbackAsync)
            .WithName("RollbackKitStartRollback").WithSummary("Rolls a target back now (reason required; idempotent by key).")
            .Accepts<ManualRollbackRequest>("application/json")
            .Produces<ManualRollbackResponse>(StatusCodes.Status202Accepted, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/rollbacks/{id}/approve", OperatorEndpoints.ApproveAsync)
            .WithName("RollbackKitApprove").WithSummary("Approves the rollback's pending approval.")
            .Accepts<ApprovalAction>("application/json")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/rollbacks/{id}/hold", OperatorEndpoints.HoldAsync)
            .WithName("RollbackKitHold").WithSummary("Holds the rollback: its pending approval is rejected and it does not proceed.")
            .Accepts<ApprovalAction>("application/json")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/auto-rollback", OperatorEndpoints.SetAutoRollbackAsync)
            .WithName("RollbackKitSetAutoRollback").WithSummary("Turns automatic rollback on or off (reason required; journaled).")
            .Accepts<AutoRollbackChange>("application/json")
            .Produces<AutoRollbackState>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/reset-attempts", OperatorEndpoints.ResetAttemptsAsync)
            .WithName("RollbackKitResetAttempts").WithSummary("Forgets a target's automatic rollback attempts and cooldown after a fix (reason required; journaled).")
            .Accepts<AttemptsResetRequest>("application/json")
            .Produces<AttemptsResetResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/stats", OperatorEndpoints.StatsAsync)
            .WithName("RollbackKitStats").WithSummary("Statistics over finished rollbacks.")
            .Produces<RollbackStatistics>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/dashboard", OperatorEndpoints.Dashboard)
            .WithName("RollbackKitDashboard").WithSummary("The live dashboard (self-contained HTML).")
            .Produces(StatusCodes.Status200OK, contentType: "text/html");
        return group;
    }
}
