using System.Collections.Concurrent;
using System.Diagnostics;

namespace RollbackKit.TestSupport;

/// <summary>
/// Collects the spans of the <c>RollbackKit</c> activity source that start under a parent span this collector opens, so
/// that tests running in parallel do not see each other's spans.
/// </summary>
internal sealed class SpanCollector : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly Activity _parent;
    private readonly ConcurrentQueue<Activity> _spans = new();

    public SpanCollector()
    {
        _parent = new Activity("test").Start();
        var parentSpanId = _parent.SpanId;
        _listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == "RollbackKit",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.ParentSpanId == parentSpanId)
                {
                    _spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Spans(string name) => _spans.Where(a => a.OperationName == name).ToList();

    public void Dispose()
    {
        _parent.Stop();
        _listener.Dispose();
    }
}
