using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Dispatch;

namespace RollbackKit.Tests.Dispatch;

public class DeduplicationCacheTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    private DeduplicationCache Cache(TimeSpan window) =>
        new(Options.Create(new DispatchOptions { DeduplicationWindow = window }), _time);

    [Fact]
    public void TryRemember_KeySeenWithinWindow_IsDuplicateWithItsRollback()
    {
        var cache = Cache(TimeSpan.FromHours(1));

        Assert.True(cache.TryRemember("alert-1", out var first));
        Assert.Null(first);
        cache.SetRollbackId("alert-1", "rb-1");
        _time.Advance(TimeSpan.FromMinutes(59));

        Assert.False(cache.TryRemember("alert-1", out var previous));
        Assert.Equal("rb-1", previous);
    }

    [Fact]
    public void TryRemember_KeySeenAfterWindow_StartsOver()
    {
        var cache = Cache(TimeSpan.FromHours(1));
        Assert.True(cache.TryRemember("alert-1", out _));
        cache.SetRollbackId("alert-1", "rb-1");

        _time.Advance(TimeSpan.FromHours(1));

        Assert.True(cache.TryRemember("alert-1", out var previous));
        Assert.Null(previous);
        _time.Advance(TimeSpan.FromMinutes(30));
        Assert.False(cache.TryRemember("alert-1", out previous));
        Assert.Null(previous); // the fresh sighting has not led to a rollback yet
    }

    [Fact]
    public void SetRollbackId_KeepsFirstSeenTime()
    {
        var cache = Cache(TimeSpan.FromHours(1));
        Assert.True(cache.TryRemember("alert-1", out _));
        _time.Advance(TimeSpan.FromMinutes(50));
        cache.SetRollbackId("alert-1", "rb-1");

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.True(cache.TryRemember("alert-1", out _)); // the window counts from the first sighting, not from the rollback
    }

    [Fact]
    public void Purge_ForgetsExpiredKeys_AtMostOncePerInterval()
    {
        var cache = Cache(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(cache.TryRemember($"k{i}", out _));
        }

        cache.Purge(); // the first sweep runs and schedules the next one a minute later
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.True(cache.TryRemember("fresh", out _));
        Assert.Equal(6, cache.Count);

        cache.Purge();
        Assert.Equal(1, cache.Count);

        _time.Advance(TimeSpan.FromSeconds(1));
        cache.Load("old", null, _time.GetUtcNow() - TimeSpan.FromHours(1));
        cache.Purge();
        Assert.Equal(2, cache.Count); // swept less than a minute ago: nothing happens

        cache.Purge(force: true);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Load_ReplaysSightingsInOrder()
    {
        var cache = Cache(TimeSpan.FromHours(1));
        var start = _time.GetUtcNow() - TimeSpan.FromHours(3);

        cache.Load("a", null, start);                                  // first seen
        cache.Load("a", "rb-1", start + TimeSpan.FromMinutes(1));      // led to rb-1
        cache.Load("b", "rb-2", start);                                // expired by now
        cache.Load("a", null, start + TimeSpan.FromHours(2.5));        // seen again after its window: starts over
        cache.Purge(force: true);

        Assert.Equal(1, cache.Count);
        Assert.False(cache.TryRemember("a", out var previous));
        Assert.Null(previous);
        Assert.True(cache.TryRemember("b", out _));
    }
}
