using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Health;
using RollbackKit.Metrics;
using RollbackKit.Monitoring;
using RollbackKit.Testing;
using RollbackKit.Triggers;

namespace RollbackKit.AspNetCore.Tests;

/// <summary>The RollbackKit health checks served by ASP.NET Core's <c>MapHealthChecks</c>, as the operations guide maps them.</summary>
public sealed class HealthCheckEndpointTests : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rollbackkit-aspnetcore-health-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 3, 0, 0, TimeSpan.Zero));
    private WebApplication? _app;

    [Fact]
    public async Task MapHealthChecks_SourceFailing_ReadinessUnhealthyNamingTheSource_LivenessHealthy()
    {
        var source = new FakeMetricSource(_time);
        source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", FakeMetricValue.Failure("prometheus answered 503"));
        using var client = await StartAsync(source);
        await _app!.Services.GetRequiredService<IRollbackMonitor>().TickAsync();

        using var all = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        using var live = await client.GetAsync(new Uri("/healthz/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, all.StatusCode);
        var entries = await all.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["status"] = "Unhealthy",
                [RollbackKitHealthChecks.Monitor] = "Healthy",
                [RollbackKitHealthChecks.Journal] = "Healthy",
                ["rollbackkit-source:fake"] = "Unhealthy",
            },
            entries);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", (await live.Content.ReadFromJsonAsync<Dictionary<string, string>>())!["status"]);
    }

    [Fact]
    public async Task MapHealthChecks_EverythingAnswering_Healthy200()
    {
        var source = new FakeMetricSource(_time);
        source.Set("baseline_error_rate", 0.5).Set("canary_error_rate", 0.4);
        using var client = await StartAsync(source);
        await _app!.Services.GetRequiredService<IRollbackMonitor>().TickAsync();

        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        Assert.Equal("Healthy", entries!["status"]);
        Assert.Equal(4, entries.Count);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private async Task<HttpClient> StartAsync(FakeMetricSource source)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSingleton<IMetricSource>(source);
        builder.Services.AddRollbackKit(o =>
            {
                o.EvaluationInterval = TimeSpan.FromSeconds(30);
                o.Targets.Add(new TargetDefinition { Id = "payments/checkout", Labels = { ["namespace"] = "payments", ["name"] = "checkout" } });
                o.Queries.Add(new MetricQueryDefinition { Name = "canary_error_rate", Expression = "canary" });
                o.Queries.Add(new MetricQueryDefinition { Name = "baseline_error_rate", Expression = "baseline" });
                o.Triggers.Add(new TriggerDefinition { Name = "error-rate", Condition = "canary_error_rate > baseline_error_rate * 1.5", For = TimeSpan.FromMinutes(5) });
                o.Playbook.Steps.Add(new RollbackKit.Playbooks.PlaybookStepDefinition { Type = "delay", Settings = { ["duration"] = "0s" } });
                o.Workflow.JournalPath = Path.Combine(_directory, "journal.jsonl");
                o.Workflow.EvidenceDirectory = Path.Combine(_directory, "evidence");
            })
            .AddHealthChecks();
        _app = builder.Build();
        _app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = r => r.Tags.Contains(RollbackKitHealthChecks.Tag), ResponseWriter = WriteAsync });
        _app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = r => r.Tags.Contains(RollbackKitHealthChecks.LiveTag), ResponseWriter = WriteAsync });
        await _app.StartAsync();
        return _app.GetTestClient();
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var body = new Dictionary<string, string> { ["status"] = report.Status.ToString() };
        foreach (var (name, entry) in report.Entries)
        {
            body[name] = entry.Status.ToString();
        }

        return context.Response.WriteAsJsonAsync(body);
    }
}
