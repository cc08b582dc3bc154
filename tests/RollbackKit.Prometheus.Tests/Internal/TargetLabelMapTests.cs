using System.Text;
using RollbackKit.Prometheus.Internal;

namespace RollbackKit.Prometheus.Tests.Internal;

public sealed class TargetLabelMapTests
{
    private static RollbackTarget Target(string id, string? name) =>
        new(id, name is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["name"] = name });

    [Fact]
    public void Find_UniqueSharedAndMissingLabelValues_ReturnsTheTargetsInOrder()
    {
        RollbackTarget[] targets = [Target("a", "web"), Target("b", "db"), Target("c", "web"), Target("d", null), Target("e", "web"), Target("f", "db"), Target("g", "api")];
        var map = TargetLabelMap.Create(targets, "name");

        Assert.Equal(1, map.Find("api"u8, out var api));
        Assert.Equal(6, api);

        var webCount = map.Find("web"u8, out var web);
        Assert.Equal([0, 2, 4], map.Targets(web, webCount).ToArray());

        var dbCount = map.Find("db"u8, out var db);
        Assert.Equal([1, 5], map.Targets(db, dbCount).ToArray());

        Assert.Equal(0, map.Find("cache"u8, out _));
        Assert.Equal(0, map.Find(""u8, out _));
    }

    [Fact]
    public void Find_NonAsciiAndLongLabelValues_MatchTheirUtf8Bytes()
    {
        var longName = new string('x', 300);
        RollbackTarget[] targets = [Target("a", "zürich"), Target("b", longName)];
        var map = TargetLabelMap.Create(targets, "name");

        Assert.Equal(1, map.Find(Encoding.UTF8.GetBytes("zürich"), out var first));
        Assert.Equal(0, first);
        Assert.Equal(1, map.Find(Encoding.UTF8.GetBytes(longName), out var second));
        Assert.Equal(1, second);
    }
}
