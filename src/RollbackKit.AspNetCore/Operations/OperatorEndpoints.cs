using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RollbackKit.AspNetCore.Internal;
using RollbackKit.Journal;
using RollbackKit.Operations;

namespace RollbackKit.AspNetCore.Operations;

/// <summary>The handlers of the management API; each resolves the core services per request and answers in <see cref="OperatorJson"/>.</summary>
internal static class OperatorEndpoints
{
    private const string DashboardResource = "RollbackKit.AspNetCore.Operations.dashboard.html";
    private static readonly Lazy<byte[]> s_dashboard = new(LoadDashboard);

    public static async Task<IResult> StatusAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var status = await Console(context).GetStatusAsync(cancellationToken).ConfigureAwait(false);
        return Json(status);
    }

    public static async Task<IResult> RollbacksAsync(HttpContext context, string? target, string? since, CancellationToken cancellationToken)
    {
        if (!TryParseSince(context, since, out var from, out var problem))
        {
            return problem;
        }

        var records = await History(context).GetRollbacksAsync(Blank(target), from, null, cancellationToken).ConfigureAwait(false);
        return Json(records);
    }

    public static async Task<IResult> RollbackAsync(HttpContext context, string id, CancellationToken cancellationToken)
    {
        var records = await History(context).GetRollbacksAsync(null, null, null, cancellationToken).ConfigureAwait(false);
        foreach (var record in records)
        {
            if (string.Equals(record.RollbackId, id, StringComparison.Ordinal))
            {
                return Json(record);
            }
        }

        return Problem(StatusCodes.Status404NotFound, "Unknown rollback", $"No finished rollback '{id}' is in the journal.");
    }

    public static async Task<IResult> EvidenceAsync(HttpContext context, string id, CancellationToken cancellationToken)
    {
        var journal = context.RequestServices.GetRequiredService<IRollbackJournal>();
        var entries = await journal.ReadAsync(null, cancellationToken).ConfigureAwait(false);
        string? path = null;
        foreach (var entry in entries)
        {
            if (entry is { Kind: JournalEntryKind.Completed, EvidencePath: { } written } && string.Equals(entry.RollbackId, id, StringComparison.Ordinal))
            {
                path = written;
            }
        }

        if (path is null || !File.Exists(path))
        {
            return Problem(StatusCodes.Status404NotFound, "No evidence bundle", $"Rollback '{id}' has no evidence bundle.");
        }

        return Results.File(path, "application/zip", Path.GetFileName(path));
    }

    public static async Task<IResult> StartRollbackAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (body, bad) = await ReadAsync(context, OperatorJson.TypeInfo<ManualRollbackRequest>(), cancellationToken).ConfigureAwait(false);
        if (bad is not null)
        {
            return bad;
        }

        var request = body ?? new ManualRollbackRequest();
        if (context.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } header && string.IsNullOrWhiteSpace(request.IdempotencyKey))
        {
            request = new ManualRollbackRequest { Target = request.Target, Reason = request.Reason, Force = request.Force, IdempotencyKey = header };
        }

        var who = Caller(context);
        try
        {
            var response = await Console(context).RollbackAsync(request, who, cancellationToken).ConfigureAwait(false);
            Log.ApiRollbackRequested(Logger(context), request.Target, who, response.RollbackId, response.Joined);
            return Json(response, StatusCodes.Status202Accepted);
        }
        catch (OperatorRequestException ex)
        {
            return Problem(ex, context, request.Target);
        }
    }

    public static Task<IResult> ApproveAsync(HttpContext context, string id, CancellationToken cancellationToken) =>
        DecideAsync(context, id, hold: false, cancellationToken);

    public static Task<IResult> HoldAsync(HttpContext context, string id, CancellationToken cancellationToken) =>
        DecideAsync(context, id, hold: true, cancellationToken);

    public static async Task<IResult> SetAutoRollbackAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (change, bad) = await ReadAsync(context, OperatorJson.TypeInfo<AutoRollbackChange>(), cancellationToken).ConfigureAwait(false);
        if (bad is not null)
        {
            return bad;
        }

        if (change is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", "A body with enabled and reason is required.");
        }

        var who = Caller(context);
        try
        {
            var state = await Console(context).SetAutoRollbackAsync(change, who, cancellationToken).ConfigureAwait(false);
            Log.ApiAutoRollbackChanged(Logger(context), change.Target ?? "*", change.Enabled, who);
            return Json(state);
        }
        catch (OperatorRequestException ex)
        {
            return Problem(ex, context, change.Target ?? "*");
        }
    }

    public static async Task<IResult> ResetAttemptsAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (body, bad) = await ReadAsync(context, OperatorJson.TypeInfo<AttemptsResetRequest>(), cancellationToken).ConfigureAwait(false);
        if (bad is not null)
        {
            return bad;
        }

        if (body is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", "A body with target and reason is required.");
        }

        var who = Caller(context);
        try
        {
            var reset = await Console(context).ResetAttemptsAsync(body.Target, body.Reason, who, cancellationToken).ConfigureAwait(false);
            Log.ApiAttemptsReset(Logger(context), reset.Target, who);
            return Json(reset);
        }
        catch (OperatorRequestException ex)
        {
            return Problem(ex, context, body.Target);
        }
    }

    public static async Task<IResult> StatsAsync(HttpContext context, string? target, string? since, CancellationToken cancellationToken)
    {
        if (!TryParseSince(context, since, out var from, out var problem))
        {
            return problem;
        }

        var stats = await History(context).GetStatisticsAsync(Blank(target), from, null, cancellationToken).ConfigureAwait(false);
        return Json(stats);
    }

    public static IResult Dashboard(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return Results.Bytes(s_dashboard.Value, "text/html; charset=utf-8");
    }

    /// <summary>Parses <c>since</c>: an ISO-8601 timestamp, or a duration back from now like <c>30d</c>, <c>12h</c>, <c>15m</c>, <c>90s</c>.</summary>
    internal static bool TryParseSince(string? value, DateTimeOffset now, out DateTimeOffset? since)
    {
        since = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        value = value.Trim();
        var unit = value[^1];
        if (value.Length > 1 && "dhms".Contains(unit, StringComparison.Ordinal)
            && double.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            var span = unit switch
            {
                'd' => TimeSpan.FromDays(amount),
                'h' => TimeSpan.FromHours(amount),
                'm' => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromSeconds(amount),
            };
            since = now - span;
            return true;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            since = at;
            return true;
        }

        return false;
    }

    private static bool TryParseSince(HttpContext context, string? value, out DateTimeOffset? since, out IResult problem)
    {
        var time = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        if (TryParseSince(value, time.GetUtcNow(), out since))
        {
            problem = null!;
            return true;
        }

        problem = Problem(StatusCodes.Status400BadRequest, "Invalid query", $"since: '{value}' is neither an ISO-8601 timestamp nor a duration like 30d, 12h, 15m or 90s.");
        return false;
    }

    private static async Task<IResult> DecideAsync(HttpContext context, string id, bool hold, CancellationToken cancellationToken)
    {
        var (action, bad) = await ReadAsync(context, OperatorJson.TypeInfo<ApprovalAction>(), cancellationToken).ConfigureAwait(false);
        if (bad is not null)
        {
            return bad;
        }

        var who = Caller(context);
        try
        {
            var console = Console(context);
            if (hold)
            {
                await console.HoldAsync(id, who, action?.Comment, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await console.ApproveAsync(id, who, action?.Comment, cancellationToken).ConfigureAwait(false);
            }

            Log.ApiDecided(Logger(context), id, hold ? "held" : "approved", who);
            return Results.Ok();
        }
        catch (OperatorRequestException ex)
        {
            return Problem(ex, context, id);
        }
    }

    /// <summary>Reads an optional JSON body (empty body = <see langword="null"/>); malformed JSON is a 400 problem.</summary>
    private static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        var request = context.Request;
        if (request.ContentLength == 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return (null, null);
        }

        if (request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: $"The body must be application/json (was {contentType})."));
        }

        try
        {
            return (await JsonSerializer.DeserializeAsync(request.Body, type, cancellationToken).ConfigureAwait(false), null);
        }
        catch (JsonException ex)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "Invalid request", $"The body is not a valid {typeof(T).Name}: {ex.Message}"));
        }
    }

    private static IResult Problem(OperatorRequestException ex, HttpContext context, string subject)
    {
        var status = ex.Kind switch
        {
            OperatorErrorKind.NotFound => StatusCodes.Status404NotFound,
            OperatorErrorKind.Refused => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };
        Log.ApiRefused(Logger(context), subject, status, ex.Message);
        var title = ex.Kind switch
        {
            OperatorErrorKind.NotFound => "Not found",
            OperatorErrorKind.Refused => "Refused",
            _ => "Invalid request",
        };
        return ex.RollbackId is { } rollbackId
            ? Results.Problem(statusCode: status, title: title, detail: ex.Message, extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["rollbackId"] = rollbackId })
            : Problem(status, title, ex.Message);
    }

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);

    private static IResult Json<T>(T value, int status = StatusCodes.Status200OK) =>
        Results.Json(value, OperatorJson.TypeInfo<T>(), "application/json", status);

    /// <summary>Who is calling: the identity's name, else the <c>sub</c> claim, else the name identifier claim.</summary>
    internal static string Caller(HttpContext context)
    {
        var user = context.User;
        return user.Identity?.Name is { Length: > 0 } name ? name
            : user.FindFirst("sub")?.Value is { Length: > 0 } sub ? sub
            : user.FindFirst(ClaimTypes.NameIdentifier)?.Value is { Length: > 0 } id ? id
            : "unknown";
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static IOperatorConsole Console(HttpContext context) => context.RequestServices.GetRequiredService<IOperatorConsole>();

    private static IRollbackHistory History(HttpContext context) => context.RequestServices.GetRequiredService<IRollbackHistory>();

    private static ILogger Logger(HttpContext context) => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("RollbackKit.AspNetCore.Api");

    private static byte[] LoadDashboard()
    {
        using var stream = typeof(OperatorEndpoints).Assembly.GetManifestResourceStream(DashboardResource)
            ?? throw new InvalidOperationException($"The embedded dashboard '{DashboardResource}' is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
