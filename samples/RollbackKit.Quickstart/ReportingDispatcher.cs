using System.Globalization;
using RollbackKit;
using RollbackKit.Dispatch;

namespace RollbackKit.Quickstart;

/// <summary>
/// Stands in front of RollbackKit's dispatcher: prints what each trigger measured when it first fires and what the dispatcher
/// answered (started, joined the running rollback, refused and why), and remembers it for the summary.
/// </summary>
internal sealed class ReportingDispatcher(IRollbackDispatcher inner, Console2 console) : IRollbackDispatcher
{
    private readonly Lock _gate = new();
    private readonly List<(RollbackRequest Request, DispatchResult Result)> _firsts = [];
    private readonly TaskCompletionSource<DispatchResult> _decided = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The first answer that settles this run: a rollback started, or a request refused, raised as an alert, or a duplicate.</summary>
    public Task<DispatchResult> Decided => _decided.Task;

    /// <summary>Each trigger's first request and the answer it got, in the order they fired.</summary>
    public IReadOnlyList<(RollbackRequest Request, DispatchResult Result)> Fired
    {
        get
        {
            lock (_gate)
            {
                return [.. _firsts];
            }
        }
    }

    public async ValueTask<DispatchResult> DispatchAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        var result = await inner.DispatchAsync(request, cancellationToken).ConfigureAwait(false);
        bool first;
        lock (_gate)
        {
            first = !_firsts.Exists(f => f.Request.RequestedBy == request.RequestedBy);
            if (first)
            {
                _firsts.Add((request, result));
            }
        }

        if (first)
        {
            console.Line("trigger", $"{Describe(request)} -> {Describe(result)}");
        }

        if (result.Status != DispatchStatus.Joined && result.Status != DispatchStatus.DryRunRecorded)
        {
            _decided.TrySetResult(result);
        }

        return result;
    }

    /// <summary>The trigger, its condition and the values it measured, for example <c>success-rate-floor (canary_success_rate &lt; 95%): canary_success_rate 0.91</c>.</summary>
    public static string Describe(RollbackRequest request)
    {
        if (request.Evidence is not { } evidence)
        {
            return $"{request.RequestedBy}: {request.Reason}";
        }

        var values = string.Join(", ", evidence.Values.Select(static v => string.Create(CultureInfo.InvariantCulture, $"{v.Name} {v.Value:0.###}")));
        return $"{evidence.TriggerName} ({evidence.Condition}): {values}";
    }

    /// <summary>The dispatcher's answer in words: <c>started rb-…</c>, <c>joined rb-…</c>, <c>refused: within the cooldown …</c>.</summary>
    public static string Describe(DispatchResult result) => result.Status switch
    {
        DispatchStatus.Started => $"started {result.RollbackId}",
        DispatchStatus.Joined => $"joined {result.RollbackId}",
        _ => $"{result.Status.ToString().ToLowerInvariant()}: {result.Message}",
    };
}
