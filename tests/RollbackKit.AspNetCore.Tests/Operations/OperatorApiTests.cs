using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RollbackKit.Approval;
using RollbackKit.Journal;
using RollbackKit.Operations;
using RollbackKit.Triggers;

namespace RollbackKit.AspNetCore.Tests.Operations;

public sealed class OperatorApiTests
{
    private static readonly JsonSerializerOptions Json = OperatorJson.Options;

    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/rollbackkit/status" },
        { "GET", "/rollbackkit/rollbacks" },
        { "GET", "/rollbackkit/rollbacks/rb-1" },
        { "GET", "/rollbackkit/rollbacks/rb-1/evidence" },
        { "POST", "/rollbackkit/rollbacks" },
        { "POST", "/rollbackkit/rollbacks/rb-1/approve" },
        { "POST", "/rollbackkit/rollbacks/rb-1/hold" },
        { "PUT", "/rollbackkit/auto-rollback" },
        { "POST", "/rollbackkit/reset-attempts" },
        { "GET", "/rollbackkit/stats" },
        { "GET", "/rollbackkit/dashboard" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_WithoutCredentials_Is401_AndWithCredentialsIsAnswered(string method, string path)
    {
        await using var host = await OperatorApiHost.StartAsync();
        using var anonymous = await host.Anonymous.SendAsync(Request(method, path));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var alice = host.As("alice");
        using var answered = await alice.SendAsync(Request(method, path));
        Assert.NotEqual(HttpStatusCode.Unauthorized, answered.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, answered.StatusCode);
        Assert.NotEqual(HttpStatusCode.InternalServerError, answered.StatusCode);
        Assert.Equal(0, (await host.JournalAsync()).Count(e => e.Kind == JournalEntryKind.Requested));
    }

    [Fact]
    public async Task Status_AfterATick_ShowsTargetsSwitchesAndEachTriggerExplanation()
    {
        await using var host = await OperatorApiHost.StartAsync();
        host.Source.Set("canary_error_rate", 0.02);
        await host.TickAsync();
        using var alice = host.As("alice");

        var status = (await alice.GetFromJsonAsync<OperatorStatus>("/rollbackkit/status", Json))!;

        Assert.True(status.AutoRollback.Enabled);
        Assert.Equal([OperatorApiHost.Checkout, OperatorApiHost.Search], status.Targets.Select(t => t.Id));
        var trigger = Assert.Single(status.Targets[0].Triggers);
        Assert.Equal("error-rate", trigger.Name);
        Assert.Equal("Pass", trigger.Outcome);
        Assert.Equal(0.02, trigger.MeasuredValue);
        Assert.Equal(0.05, trigger.Threshold);
        Assert.False(string.IsNullOrWhiteSpace(trigger.Text));
        Assert.Empty(status.Active);
    }

    [Fact]
    public async Task ManualRollback_HeldInAStep_ShowsProgress_JoinsAndRecordsTheCaller()
    {
        await using var host = await OperatorApiHost.StartAsync();
        using var alice = host.As("alice");
        using var bob = host.As("bob");

        using var first = await alice.PostAsJsonAsync("/rollbackkit/rollbacks", new ManualRollbackRequest { Target = OperatorApiHost.Checkout, Reason = "bad release 4.2" }, Json);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var started = (await first.Content.ReadFromJsonAsync<ManualRollbackResponse>(Json))!;
        Assert.False(started.Joined);
        Assert.StartsWith("rb-", started.RollbackId, StringComparison.Ordinal);

        await OperatorApiHost.WaitUntilAsync(() => host.Controller.GetActiveRollbacks().Any(r => r.State == RollbackState.RollingBack), "the run is in its playbook");
        OperatorStatus status = null!;
        await OperatorApiHost.WaitUntilAsync(() =>
        {
            status = bob.GetFromJsonAsync<OperatorStatus>("/rollbackkit/status", Json).GetAwaiter().GetResult()!;
            return status.Active.Count == 1 && status.Active[0].CurrentStep is not null;
        }, "the status shows the running step");
        var run = status.Active[0];
        Assert.Equal(started.RollbackId, run.RollbackId);
        Assert.Equal("RollingBack", run.State);
        Assert.Equal(0, run.StepIndex);
        Assert.Equal("drain traffic", run.CurrentStep);
        Assert.Equal(2, run.StepCount);
        Assert.Equal(0, run.StepsCompleted);
        Assert.Equal("alice", run.RequestedBy);
        Assert.Equal("bad release 4.2", run.Reason);
        Assert.True(run.Budget > TimeSpan.Zero);

        using var second = await bob.PostAsJsonAsync("/rollbackkit/rollbacks", new ManualRollbackRequest { Target = OperatorApiHost.Checkout, Reason = "me too" }, Json);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var joined = (await second.Content.ReadFromJsonAsync<ManualRollbackResponse>(Json))!;
        Assert.True(joined.Joined);
        Assert.Equal(started.RollbackId, joined.RollbackId);

        host.ReleaseStep();
        var done = await host.Controller.WaitForCompletionAsync(started.RollbackId).WaitAsync(OperatorApiHost.WaitLimit);
        Assert.Equal(RollbackState.RolledBack, done.State);
        var requested = Assert.Single(await host.JournalAsync(), e => e.Kind == JournalEntryKind.Requested);
        Assert.Equal("alice", requested.Actor);
        Assert.Equal("alice", requested.Request!.RequestedBy);

        var records = (await alice.GetFromJsonAsync<RollbackAuditRecord[]>("/rollbackkit/rollbacks?since=1d", Json))!;
        var record = Assert.Single(records);
        Assert.Equal("alice", record.RequestedBy);
        var one = (await alice.GetFromJsonAsync<RollbackAuditRecord>("/rollbackkit/rollbacks/" + started.RollbackId, Json))!;
        Assert.Equal(RollbackState.RolledBack, one.State);
        using var evidence = await alice.GetAsync($"/rollbackkit/rollbacks/{started.RollbackId}/evidence");
        Assert.Equal(HttpStatusCode.OK, evidence.StatusCode);
        Assert.Equal("application/zip", evidence.Content.Headers.ContentType?.MediaType);
        var bytes = await evidence.Content.ReadAsByteArrayAsync();
        Assert.Equal((byte)'P', bytes[0]);
        Assert.Equal((byte)'K', bytes[1]);

        var stats = (await alice.GetFromJsonAsync<RollbackStatistics>("/rollbackkit/stats", Json))!;
        Assert.Equal(1, stats.Total);
        Assert.Equal(1, stats.Manual);
        Assert.Equal(0, stats.Automatic);
        Assert.Equal(1, stats.Succeeded);
    }

    [Fact]
    public async Task ManualRollback_SameIdempotencyKey_ReturnsTheSameRun_BodyOrHeader_AndAfterARestart()
    {
        var journal = OperatorApiHost.NewJournalPath();
        string id;
        await using (var host = await OperatorApiHost.StartAsync(journal))
        {
            using var alice = host.As("alice");
            var request = new ManualRollbackRequest { Target = OperatorApiHost.Checkout, Reason = "bad release", IdempotencyKey = "change-4711" };
            using var first = await alice.PostAsJsonAsync("/rollbackkit/rollbacks", request, Json);
            var started = (await first.Content.ReadFromJsonAsync<ManualRollbackResponse>(Json))!;
            id = started.RollbackId;
            host.ReleaseStep();
            await host.Controller.WaitForCompletionAsync(id).WaitAsync(OperatorApiHost.WaitLimit);

            using var again = await alice.PostAsJsonAsync("/rollbackkit/rollbacks", request, Json);
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            var repeated = (await again.Content.ReadFromJsonAsync<ManualRollbackResponse>(Json))!;
            Assert.True(repeated.Joined);
            Assert.Equal(id, repeated.RollbackId);
            Assert.Equal("RolledBack", repeated.State);

            using var viaHeader = new HttpRequestMessage(HttpMethod.Post, "/rollbackkit/rollbacks")
            {
                Content = JsonContent.Create(new ManualRollbackRequest { Target = OperatorApiHost.Checkout, Reason = "bad release" }, options: Json),
            };
            viaHeader.Headers.Add("Idempotency-Key", "change-4711");
            using var header = await alice.SendAsync(viaHeader);
            Assert.Equal(id, (await header.Content.ReadFromJsonAsync<ManualRollbackResponse>(Json))!.RollbackId);
        }

        await using var restarted = await OperatorApiHost.StartAsync(journal, now: OperatorApiHost.Start.AddDays(3));
        using var carol = restarted.As("carol");
        using var afterRestart = await carol.PostAsJsonAsync("/rollbackkit/rollbacks", new ManualRollbackRequest { Target = OperatorApiHost.Checkout, Reason = "retry", IdempotencyKey = "change-4711" }, Json);
        var response = (await afterRestart.Content.ReadFromJsonAsync<ManualRollbackResponse>(Json))!;
        Assert.True(response.Joined);
        Assert.Equal(id, response.RollbackId);
        Assert.Single(await restarted.JournalAsync(), e => e.Kind == JournalEntryKind.Requested);
    }

    [Theory]
    [InlineData("{\"target\":\"shop/checkout\",\"reason\":\"  \"}", "reason is required")]
    [InlineData("{\"reason\":\"bad\"}", "target is required")]
    [InlineData("{\"target\":\"shop/nope\",\"reason\":\"bad\"}", "Unknown target 'shop/nope': it is neither a configured target nor a group id (targets: shop/checkout")]
    [InlineData("{\"target\":", "not a valid ManualRollbackRequest")]
    public async Task ManualRollback_Invalid_Is400ProblemWithDetail(string body, string detail)
    {
        await using var host = await OperatorApiHost.StartAsync();
        using var alice = host.As("alice");
        using var response = await alice.PostAsync("/rollbackkit/rollbacks", new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
        Assert.DoesNotContain(await host.JournalAsync(), e => e.Kind == JournalEntryKind.Requested);
    }

    [Fact]
    public async Task ManualRollback_WithinCooldown_Is409WithTheRefusal()
    {
        await using var host = await OperatorApiHost.StartAsync();
        host.ReleaseStep();
        using var alice = host.As("alice");
        using var first = await alice.PostAsJsonAsync("/rollbackkit/rollbacks", new ManualRollbackRequest { Target = OperatorApiHost.Checkout, Reason = "bad" }, Json);
        var id = (await first.Content.ReadFromJsonAsync<ManualRollbackResponse>(Json))!.RollbackId;
        await host.Controller.WaitForCompletionAsync(id).WaitAsync(OperatorApiHost.WaitLimit);

        using var second = await alice.PostAsJsonAsync("/rollbackkit/rollbacks", new ManualRollbackRequest { Target = OperatorApiHost.Checkout, Reason = "again" }, Json);
        var problem = await AssertProblemAsync(second, HttpStatusCode.Conflict, id);
        Assert.Equal(id, problem.GetProperty("rollbackId").GetString());
    }

    [Fact]
    public async Task KillSwitchOff_TheMonitorDoesNotRollBack_AndTheAlertSaysWhoAndWhy()
    {
        await using var host = await OperatorApiHost.StartAsync();
        using var alice = host.As("alice");
        using var put = await alice.PutAsJsonAsync("/rollbackkit/auto-rollback", new AutoRollbackChange { Enabled = false, Reason = "planned database migration" }, Json);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var state = (await put.Content.ReadFromJsonAsync<AutoRollbackState>(Json))!;
        Assert.False(state.Enabled);
        Assert.Equal("alice", state.ChangedBy);
        Assert.Equal("planned database migration", state.Reason);
        Assert.Equal(OperatorApiHost.Start, state.ChangedAt);

        host.Source.Set("canary_error_rate", 0.5, OperatorApiHost.Checkout);
        var tick = await host.TickAsync();

        Assert.Equal(1, tick.Dispatched);
        Assert.Empty(host.Controller.GetActiveRollbacks());
        var journal = await host.JournalAsync();
        Assert.DoesNotContain(journal, e => e.Kind == JournalEntryKind.Requested);
        var change = Assert.Single(journal, e => e.Kind == JournalEntryKind.AutoRollbackChanged);
        Assert.Equal(("*", false, "alice", "planned database migration"), (change.TargetId, change.Enabled!.Value, change.Actor!, change.Message!));
        var alert = Assert.Single(journal, e => e.Kind == JournalEntryKind.Alert);
        Assert.Contains("kill switch", alert.Message, StringComparison.Ordinal);
        Assert.Contains("turned off by alice", alert.Message, StringComparison.Ordinal);
        Assert.Contains("planned database migration", alert.Message, StringComparison.Ordinal);

        var status = (await alice.GetFromJsonAsync<OperatorStatus>("/rollbackkit/status", Json))!;
        Assert.False(status.AutoRollback.Enabled);
        Assert.All(status.Targets, t => Assert.False(t.AutoRollbackEnabled));
    }

    [Fact]
    public async Task KillSwitchPerTarget_OnlyThatTargetIsOff()
    {
        await using var host = await OperatorApiHost.StartAsync();
        using var alice = host.As("alice");
        using var put = await alice.PutAsJsonAsync("/rollbackkit/auto-rollback", new AutoRollbackChange { Enabled = false, Reason = "risky deploy", Target = OperatorApiHost.Search }, Json);
        var state = (await put.Content.ReadFromJsonAsync<AutoRollbackState>(Json))!;
        Assert.True(state.Enabled);
        Assert.False(state.TargetOverrides[OperatorApiHost.Search]);
        Assert.True(host.Controller.IsAutoRollbackEnabled(OperatorApiHost.Checkout));
        Assert.False(host.Controller.IsAutoRollbackEnabled(OperatorApiHost.Search));
    }

    [Theory]
    [InlineData("{\"enabled\":false,\"reason\":\"\"}", "reason is required")]
    [InlineData("{\"enabled\":false,\"reason\":\"x\",\"target\":\"shop/nope\"}", "Unknown target 'shop/nope': it is neither a configured target nor a group id (targets: shop/checkout")]
    public async Task KillSwitch_Invalid_Is400ProblemWithDetail(string body, string detail)
    {
        await using var host = await OperatorApiHost.StartAsync();
        using var alice = host.As("alice");
        using var response = await alice.PutAsync("/rollbackkit/auto-rollback", new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
        Assert.True(host.Controller.AutoRollbackEnabled);
    }

    [Fact]
    public async Task ResetAttempts_Anonymous_Is401_NothingJournaled()
    {
        await using var host = await OperatorApiHost.StartAsync();
        using var response = await host.Anonymous.PostAsJsonAsync("/rollbackkit/reset-attempts", new AttemptsResetRequest { Target = OperatorApiHost.Checkout, Reason = "fixed" }, Json);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(await host.JournalAsync(), e => e.Kind == JournalEntryKind.AttemptsReset);
    }

    [Fact]
    public async Task ResetAttempts_Authorized_IsJournaledWithTheCallerAndReason()
    {
        await using var host = await OperatorApiHost.StartAsync();
        using var alice = host.As("alice");
        using var response = await alice.PostAsJsonAsync("/rollbackkit/reset-attempts", new AttemptsResetRequest { Target = OperatorApiHost.Checkout, Reason = "fix 1.4.3 deployed" }, Json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reset = (await response.Content.ReadFromJsonAsync<AttemptsResetResponse>(Json))!;
        Assert.Equal((OperatorApiHost.Checkout, "alice", "fix 1.4.3 deployed", OperatorApiHost.Start), (reset.Target, reset.ResetBy, reset.Reason, reset.At));

        var entry = Assert.Single(await host.JournalAsync(), e => e.Kind == JournalEntryKind.AttemptsReset);
        Assert.Equal((OperatorApiHost.Checkout, "alice", "fix 1.4.3 deployed", OperatorApiHost.Start), (entry.TargetId, entry.Actor!, entry.Message!, entry.Timestamp));
    }

    [Theory]
    [InlineData("{\"target\":\"shop/checkout\",\"reason\":\" \"}", "reason is required")]
    [InlineData("{\"reason\":\"fixed\"}", "target is required")]
    [InlineData("{\"target\":\"shop/nope\",\"reason\":\"fixed\"}", "Unknown target 'shop/nope': it is neither a configured target nor a group id")]
    public async Task ResetAttempts_Invalid_Is400ProblemWithDetail(string body, string detail)
    {
        await using var host = await OperatorApiHost.StartAsync();
        using var alice = host.As("alice");
        using var response = await alice.PostAsync("/rollbackkit/reset-attempts", new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
        Assert.DoesNotContain(await host.JournalAsync(), e => e.Kind == JournalEntryKind.AttemptsReset);
    }

    [Fact]
    public async Task KillSwitch_SurvivesAHostRestartOnTheSameJournal()
    {
        var journal = OperatorApiHost.NewJournalPath();
        await using (var host = await OperatorApiHost.StartAsync(journal))
        {
            using var alice = host.As("alice");
            using var put = await alice.PutAsJsonAsync("/rollbackkit/auto-rollback", new AutoRollbackChange { Enabled = false, Reason = "freeze week" }, Json);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await using var restarted = await OperatorApiHost.StartAsync(journal);
        Assert.False(restarted.Controller.AutoRollbackEnabled);
        using var bob = restarted.As("bob");
        var status = (await bob.GetFromJsonAsync<OperatorStatus>("/rollbackkit/status", Json))!;
        Assert.False(status.AutoRollback.Enabled);
        Assert.Equal("alice", status.AutoRollback.ChangedBy);
        Assert.Equal("freeze week", status.AutoRollback.Reason);

        restarted.Source.Set("canary_error_rate", 0.5, OperatorApiHost.Checkout);
        var tick = await restarted.TickAsync();
        Assert.Equal(1, tick.Dispatched);
        Assert.Empty(restarted.Controller.GetActiveRollbacks());
        Assert.DoesNotContain(await restarted.JournalAsync(), e => e.Kind == JournalEntryKind.Requested);
        Assert.Contains(await restarted.JournalAsync(), e => e.Kind == JournalEntryKind.Alert && e.Message!.Contains("turned off by alice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hold_RejectsThePendingApproval_TheRunDoesNotProceed()
    {
        await using var host = await OperatorApiHost.StartAsync(severity: RollbackSeverity.High);
        host.ReleaseStep();
        host.Source.Set("canary_error_rate", 0.5, OperatorApiHost.Checkout);
        await host.TickAsync();
        await OperatorApiHost.WaitUntilAsync(() => host.Controller.GetActiveRollbacks().Any(r => r.ApprovalId is not null), "the run waits for approval");
        using var bob = host.As("bob");
        var active = Assert.Single((await bob.GetFromJsonAsync<OperatorStatus>("/rollbackkit/status", Json))!.Active);
        Assert.Equal("AwaitingApproval", active.State);
        Assert.NotNull(active.ApprovalId);
        Assert.Equal("error-rate", active.TriggerName);
        Assert.Equal(0.5, active.MeasuredValue);
        Assert.Equal(0.05, active.Threshold);

        using var hold = await bob.PostAsJsonAsync($"/rollbackkit/rollbacks/{active.RollbackId}/hold", new ApprovalAction { Comment = "looking into it" }, Json);
        Assert.Equal(HttpStatusCode.OK, hold.StatusCode);
        var done = await host.Controller.WaitForCompletionAsync(active.RollbackId).WaitAsync(OperatorApiHost.WaitLimit);
        Assert.Equal(RollbackState.Rejected, done.State);
        var journal = await host.JournalAsync();
        var decided = Assert.Single(journal, e => e.Kind == JournalEntryKind.ApprovalDecided);
        Assert.Equal(ApprovalDecision.Rejected, decided.Decision);
        Assert.Equal("bob", decided.Actor);
        Assert.DoesNotContain(journal, e => e.Kind == JournalEntryKind.StepStarted);
        var audit = Assert.Single(journal, e => e.Kind == JournalEntryKind.Completed).Audit!;
        Assert.Equal("held by bob: looking into it", audit.ApprovalComment);

        using var again = await bob.PostAsync($"/rollbackkit/rollbacks/{active.RollbackId}/hold", null);
        await AssertProblemAsync(again, HttpStatusCode.NotFound, "No approval is pending");
    }

    [Fact]
    public async Task Approve_LetsThePendingRunProceed_AndRecordsTheApprover()
    {
        await using var host = await OperatorApiHost.StartAsync(severity: RollbackSeverity.High);
        host.ReleaseStep();
        host.Source.Set("canary_error_rate", 0.5, OperatorApiHost.Checkout);
        await host.TickAsync();
        await OperatorApiHost.WaitUntilAsync(() => host.Controller.GetActiveRollbacks().Any(r => r.ApprovalId is not null), "the run waits for approval");
        var id = host.Controller.GetActiveRollbacks()[0].RollbackId;
        using var carol = host.As("carol");
        using var approve = await carol.PostAsJsonAsync($"/rollbackkit/rollbacks/{id}/approve", new ApprovalAction { Comment = "go" }, Json);
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        var done = await host.Controller.WaitForCompletionAsync(id).WaitAsync(OperatorApiHost.WaitLimit);
        Assert.Equal(RollbackState.RolledBack, done.State);
        var audit = Assert.Single(await host.JournalAsync(), e => e.Kind == JournalEntryKind.Completed).Audit!;
        Assert.Equal("carol", audit.ApprovedBy);

        var stats = (await carol.GetFromJsonAsync<RollbackStatistics>("/rollbackkit/stats?target=shop/checkout&since=2026-12-01T00:00:00Z", Json))!;
        Assert.Equal(1, stats.Automatic);
        Assert.Equal(0, stats.Manual);
        Assert.Equal(1, stats.Causes["error-rate"]);
    }

    [Theory]
    [InlineData("/rollbackkit/rollbacks/rb-unknown", "rb-unknown")]
    [InlineData("/rollbackkit/rollbacks/rb-unknown/evidence", "rb-unknown")]
    public async Task UnknownRollback_Is404Problem(string path, string detail)
    {
        await using var host = await OperatorApiHost.StartAsync();
        using var alice = host.As("alice");
        await AssertProblemAsync(await alice.GetAsync(path), HttpStatusCode.NotFound, detail);
        using var approve = await alice.PostAsync("/rollbackkit/rollbacks/rb-unknown/approve", null);
        await AssertProblemAsync(approve, HttpStatusCode.NotFound, "No approval is pending for rollback 'rb-unknown'");
    }

    [Theory]
    [InlineData("/rollbackkit/rollbacks?since=yesterday")]
    [InlineData("/rollbackkit/stats?since=12x")]
    public async Task BadSince_Is400ProblemNamingTheValue(string path)
    {
        await using var host = await OperatorApiHost.StartAsync();
        using var alice = host.As("alice");
        await AssertProblemAsync(await alice.GetAsync(path), HttpStatusCode.BadRequest, "since: '");
    }

    [Fact]
    public async Task OpenApiDocument_HasEveryRoute()
    {
        await using var host = await OperatorApiHost.StartAsync(
            configure: b => b.Services.AddOpenApi(),
            map: app => app.MapOpenApi());
        using var response = await host.Anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        var expected = new (string Path, string Method)[]
        {
            ("/rollbackkit/status", "get"), ("/rollbackkit/rollbacks", "get"), ("/rollbackkit/rollbacks", "post"),
            ("/rollbackkit/rollbacks/{id}", "get"), ("/rollbackkit/rollbacks/{id}/evidence", "get"),
            ("/rollbackkit/rollbacks/{id}/approve", "post"), ("/rollbackkit/rollbacks/{id}/hold", "post"),
            ("/rollbackkit/auto-rollback", "put"), ("/rollbackkit/stats", "get"), ("/rollbackkit/dashboard", "get"),
        };
        foreach (var (path, method) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), "missing " + path);
            Assert.True(item.TryGetProperty(method, out var operation), $"missing {method} {path}");
            Assert.True(operation.TryGetProperty("operationId", out _), $"no operationId on {method} {path}");
        }

        var post = paths.GetProperty("/rollbackkit/rollbacks").GetProperty("post").GetProperty("responses");
        Assert.True(post.TryGetProperty("202", out _));
        Assert.True(post.TryGetProperty("409", out _));
    }

    [Theory]
    [InlineData("30d", 30 * 24)]
    [InlineData("12h", 12)]
    [InlineData("90m", 1.5)]
    public void Since_Duration_CountsBackFromNow(string value, double hours)
    {
        var now = OperatorApiHost.Start;
        Assert.True(RollbackKit.AspNetCore.Operations.OperatorEndpoints.TryParseSince(value, now, out var since));
        Assert.Equal(now - TimeSpan.FromHours(hours), since);
        Assert.True(RollbackKit.AspNetCore.Operations.OperatorEndpoints.TryParseSince("2026-11-01T00:00:00Z", now, out var at));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), at);
        Assert.False(RollbackKit.AspNetCore.Operations.OperatorEndpoints.TryParseSince("soon", now, out _));
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        return problem;
    }

    private static HttpRequestMessage Request(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return request;
    }
}
