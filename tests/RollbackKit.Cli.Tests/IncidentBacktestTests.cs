using System.Text.Json;
using RollbackKit.Cli.Tests.Infrastructure;

namespace RollbackKit.Cli.Tests;

/// <summary><c>rollbackkit backtest</c> against the real Prometheus holding a recorded incident: exit code, tables and JSON.</summary>
[Collection(IncidentBacktestGroup.Name)]
public sealed class IncidentBacktestTests(IncidentBacktest incident)
{
    [Fact]
    public void Backtest_RecordedIncident_Exits0AndPrintsTheTables()
    {
        Assert.True(incident.Run.ExitCode == 0, incident.Run.ToString());
        Assert.Contains("Triggers", incident.Run.Output, StringComparison.Ordinal);
        Assert.Contains("Fires", incident.Run.Output, StringComparison.Ordinal);
        Assert.Contains("shop/checkout", incident.Run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_HasTheDocumentedShape()
    {
        var root = incident.Json.RootElement;
        Assert.Equal(IncidentBacktest.Rfc3339(incident.From), root.GetProperty("from").GetString());
        Assert.Equal(IncidentBacktest.Rfc3339(incident.To), root.GetProperty("to").GetString());
        Assert.Equal("15s", root.GetProperty("step").GetString());
        Assert.Empty(root.GetProperty("errors").EnumerateArray());

        var fire = root.GetProperty("fires")[0];
        foreach (var name in new[] { "target", "trigger", "at", "severity", "action", "decision" })
        {
            Assert.Equal(JsonValueKind.String, fire.GetProperty(name).ValueKind);
        }

        Assert.Equal(JsonValueKind.Number, fire.GetProperty("values").GetProperty("canary_error_rate").ValueKind);
        Assert.Equal(JsonValueKind.Number, root.GetProperty("targets")[0].GetProperty("triggers")[0].GetProperty("points")[0].GetProperty("values").GetProperty("stable_error_rate").ValueKind);
        Assert.EndsWith("Z", fire.GetProperty("at").GetString(), StringComparison.Ordinal);

        var targets = root.GetProperty("targets").EnumerateArray().ToList();
        Assert.Equal(["shop/checkout", "shop/cart"], targets.Select(static t => t.GetProperty("id").GetString()));
        foreach (var target in targets)
        {
            var triggers = target.GetProperty("triggers").EnumerateArray().ToList();
            Assert.Equal(["error-rate", "error-budget"], triggers.Select(static t => t.GetProperty("name").GetString()));
            foreach (var trigger in triggers)
            {
                var points = trigger.GetProperty("points").EnumerateArray().ToList();
                Assert.Equal(181, points.Count); // 10:00:00 to 10:45:00 at 15 s
                Assert.Equal(IncidentBacktest.Rfc3339(incident.From), points[0].GetProperty("at").GetString());
                Assert.Equal(JsonValueKind.Number, points[0].GetProperty("values").GetProperty("canary_error_rate").ValueKind);
                Assert.True(points[0].GetProperty("failed").ValueKind is JsonValueKind.True or JsonValueKind.False);
                Assert.Equal(JsonValueKind.String, points[0].GetProperty("state").ValueKind);
            }
        }
    }

    [Fact]
    public void Json_FiresWhereTheIncidentHeldForLongEnough()
    {
        var fires = incident.Json.RootElement.GetProperty("fires").EnumerateArray()
            .Select(static f => (Target: f.GetProperty("target").GetString(), Trigger: f.GetProperty("trigger").GetString(), At: f.GetProperty("at").GetString(), Decision: f.GetProperty("decision").GetString()))
            .ToList();
        var at = (int hour, int minute) => IncidentBacktest.Rfc3339(Incident.At(incident.Day, hour, minute));

        // The 2-minute blip at 10:08 is shorter than error-rate's For (3m) but longer than error-budget's (1m).
        Assert.Equal([at(10, 23)], fires.Where(static f => f.Trigger == "error-rate").Select(static f => f.At));
        Assert.Equal("Started", fires.Single(static f => f.Trigger == "error-rate").Decision);
        Assert.Equal([at(10, 9), at(10, 21)], fires.Where(static f => f.Trigger == "error-budget").Select(static f => f.At));
        Assert.All(fires.Where(static f => f.Trigger == "error-budget"), static f => Assert.Equal("AlertRaised", f.Decision));
        Assert.DoesNotContain(fires, static f => f.Target == "shop/cart");
    }
}
