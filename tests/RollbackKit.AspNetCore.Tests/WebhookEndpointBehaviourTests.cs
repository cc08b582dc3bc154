using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.AspNetCore.Tests.Infrastructure;
using RollbackKit.Dispatch;
using RollbackKit.Playbooks;
using RollbackKit.Webhooks;
using RollbackKit.Testing;
using RollbackKit.Triggers;
using RollbackKit.Workflow;
using static RollbackKit.AspNetCore.Tests.Infrastructure.WebhookRequests;

namespace RollbackKit.AspNetCore.Tests;

/// <summary>What the endpoint itself does around a handler: routing by name, the handler's view of the request, its answer, failures, limits, conventions and options.</summary>
public sealed class WebhookEndpointBehaviourTests
{
    [Fact]
    public async Task Post_HandlerThrows_Returns500WithEmptyBodyAndLogsOnlyTheExceptionType()
    {
        await using var server = await WebhookServer.StartAsync(services: s => s.AddSingleton<IInboundWebhookHandler>(new TestHandler("boom", _ => throw new InvalidOperationException("do-not-log-this"))));
        using var collector = new MetricCollector<long>(server.Services.GetRequiredService<IMeterFactory>(), "RollbackKit", "rollbackkit.webhook.requests");

        using var response = await server.Client.PostAsync("rollbackkit/boom", Json("{}"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        var logs = server.AllLogText();
        Assert.Contains("Webhook handler 'boom' failed (InvalidOperationException)", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-log-this", logs, StringComparison.Ordinal);
        var measurement = Assert.Single(collector.GetMeasurementSnapshot());
        Assert.Equal(("boom", 500), ((string)measurement.Tags["handler"]!, (int)measurement.Tags["status"]!));
    }

    [Theory]
    [InlineData("rollbackkit/POLICY-BREACH")]
    [InlineData("RollbackKit/Policy-Breach")]
    public async Task Post_NameAndPrefixInAnyCase_ReachTheHandler(string path)
    {
        await using var server = await WebhookServer.StartAsync();

        using var response = await server.Client.PostAsync(path, Json(PolicyBody, WebhookRequests.PolicySigned));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(RollbackTriggerType.PolicyBreach, Assert.Single(server.Dispatcher.Requests).TriggerType);
    }

    [Fact]
    public async Task Post_TwoHandlersWithOneName_FirstRegisteredAnswersAndTheDuplicateIsLogged()
    {
        var first = new TestHandler("echo", _ => new WebhookResponse(200, "first"));
        var second = new TestHandler("ECHO", _ => new WebhookResponse(200, "second"));
        var shadowing = new TestHandler("policy-breach", _ => new WebhookResponse(200, "shadow"));
        await using var server = await WebhookServer.StartAsync(services: s => s
            .AddSingleton<IInboundWebhookHandler>(first)
            .AddSingleton<IInboundWebhookHandler>(second)
            .AddSingleton<IInboundWebhookHandler>(shadowing));

        using var echo = await server.Client.PostAsync("rollbackkit/echo", Json("{}"));
        using var policy = await server.Client.PostAsync("rollbackkit/policy-breach", Json(PolicyBody, WebhookRequests.PolicySigned));

        Assert.Equal("first", await echo.Content.ReadAsStringAsync());
        Assert.Single(first.Requests);
        Assert.Empty(second.Requests);
        Assert.Equal(HttpStatusCode.Accepted, policy.StatusCode); // the built-in handler was registered first
        Assert.Empty(shadowing.Requests);
        var logs = server.AllLogText();
        Assert.Contains("Two webhook handlers are named 'ECHO'; the first registered one is used", logs, StringComparison.Ordinal);
        Assert.Contains("Two webhook handlers are named 'policy-breach'; the first registered one is used", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_HandlerGetsTheRawBodyHeadersAndContentType()
    {
        var handler = new TestHandler("echo", _ => new WebhookResponse(204));
        await using var server = await WebhookServer.StartAsync(services: s => s.AddSingleton<IInboundWebhookHandler>(handler));
        var bytes = new byte[] { 0x7B, 0x22, 0xC3, 0xA9, 0x22, 0x3A, 0x31, 0x7D, 0x0A }; // {"é":1}\n, not re-encoded
        using var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        using var request = new HttpRequestMessage(HttpMethod.Post, "rollbackkit/echo") { Content = content };
        request.Headers.TryAddWithoutValidation("X-Custom-Header", "value-1");

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var seen = Assert.Single(handler.Requests);
        Assert.Equal(bytes, seen.Body.ToArray());
        Assert.Equal("application/json; charset=utf-8", seen.ContentType);
        Assert.Equal("value-1", seen.Headers["x-custom-header"]);
        Assert.Equal("application/json; charset=utf-8", seen.Headers["CONTENT-TYPE"]);
    }

    [Fact]
    public async Task Post_HandlerAnswer_IsWrittenWithItsStatusBodyAndContentType()
    {
        await using var server = await WebhookServer.StartAsync(services: s => s
            .AddSingleton<IInboundWebhookHandler>(new TestHandler("tea", _ => new WebhookResponse(418, "short and stout", "text/plain")))
            .AddSingleton<IInboundWebhookHandler>(new TestHandler("empty", _ => new WebhookResponse(202))));

        using var tea = await server.Client.PostAsync("rollbackkit/tea", Json("{}"));
        using var empty = await server.Client.PostAsync("rollbackkit/empty", Json("{}"));

        Assert.Equal((HttpStatusCode)418, tea.StatusCode);
        Assert.Equal("short and stout", await tea.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", tea.Content.Headers.ContentType!.ToString());
        Assert.Equal(HttpStatusCode.Accepted, empty.StatusCode);
        Assert.Equal(string.Empty, await empty.Content.ReadAsStringAsync());
        Assert.Null(empty.Content.Headers.ContentType);
        Assert.Contains("Webhook 'tea' answered 418", server.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapRollbackKitWebhooks_ReturnedGroup_ConventionsApplyToEveryWebhook()
    {
        await using var server = await WebhookServer.StartAsync(map: app => app.MapRollbackKitWebhooks()
            .AddEndpointFilter(static async (context, next) =>
                context.HttpContext.Request.Headers.ContainsKey("X-Gateway") ? await next(context) : Results.StatusCode(StatusCodes.Status403Forbidden))
            .WithMetadata(new GroupMarker()));

        var endpoints = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToArray();
        var endpoint = Assert.Single(endpoints);
        Assert.Equal("/rollbackkit/{name}", endpoint.RoutePattern.RawText);
        Assert.NotNull(endpoint.Metadata.GetMetadata<GroupMarker>());
        Assert.Equal(["POST"], endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods);

        using (var refused = await server.Client.PostAsync("rollbackkit/policy-breach", Json(PolicyBody, WebhookRequests.PolicySigned)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        Assert.Empty(server.Dispatcher.Requests);
        using var request = new HttpRequestMessage(HttpMethod.Post, "rollbackkit/policy-breach") { Content = Json(PolicyBody, WebhookRequests.PolicySigned) };
        request.Headers.Add("X-Gateway", "1");
        using var allowed = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
        Assert.Single(server.Dispatcher.Requests);
    }

    [Fact]
    public void MapRollbackKitWebhooks_InvalidArguments_Throw()
    {
        var app = WebApplication.CreateSlimBuilder().Build();
        Assert.Throws<ArgumentNullException>(() => ((IEndpointRouteBuilder)null!).MapRollbackKitWebhooks());
        Assert.Throws<ArgumentNullException>(() => app.MapRollbackKitWebhooks(null!));
        Assert.Throws<ArgumentException>(() => app.MapRollbackKitWebhooks(string.Empty));
        Assert.Throws<ArgumentException>(() => app.MapRollbackKitWebhooks(" "));
    }

    [Theory]
    [InlineData(100L, false, 4097L)] // below the webhook limit: raised to limit + 1
    [InlineData(null, false, 4097L)] // unlimited: bounded to limit + 1
    [InlineData(10_000_000L, false, 10_000_000L)] // already above: left alone
    [InlineData(100L, true, 100L)] // read-only (body already read): left alone
    public async Task Post_ServerBodySizeLimit_IsSetToTheWebhookLimitPlusOne(long? serverLimit, bool readOnly, long? expected)
    {
        var feature = new BodySizeFeature { MaxRequestBodySize = serverLimit, IsReadOnly = readOnly };
        await using var server = await WebhookServer.StartAsync(pipeline: app => app.Use((context, next) =>
        {
            context.Features.Set<IHttpMaxRequestBodySizeFeature>(feature);
            return next(context);
        }));

        using var response = await server.Client.PostAsync("rollbackkit/policy-breach", Json(PolicyBody, WebhookRequests.PolicySigned));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(expected, feature.MaxRequestBodySize);
    }

    [Fact]
    public async Task Post_ServerRefusesTheBodyAs413_Answers413AndActsOnNothing()
    {
        await using var server = await WebhookServer.StartAsync(pipeline: app => app.Use((context, next) =>
        {
            context.Request.Body = new RefusingStream();
            return next(context);
        }));

        using var response = await server.Client.PostAsync("rollbackkit/policy-breach", Json(PolicyBody, WebhookRequests.PolicySigned));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(server.Dispatcher.Requests);
    }

    [Fact]
    public void WebhookOptions_Default_Is1MiB()
    {
        using var sp = TestServices.Build(b => b.AddWebhookEndpoints());
        Assert.Equal(1024 * 1024, sp.GetRequiredService<IOptions<RollbackKitWebhookOptions>>().Value.MaxBodyBytes);
    }

    [Fact]
    public void WebhookOptions_BoundFromRollbackKitWebhooksSection()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["RollbackKit:Webhooks:MaxBodyBytes"] = "2048" })
            .Build();
        using var sp = TestServices.Build(b => b.AddWebhookEndpoints(), more: s => s.AddSingleton<IConfiguration>(configuration));
        Assert.Equal(2048, sp.GetRequiredService<IOptions<RollbackKitWebhookOptions>>().Value.MaxBodyBytes);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void WebhookOptions_NonPositiveLimit_FailsNamingTheKeyPath(long limit)
    {
        using var sp = TestServices.Build(b => b.AddWebhookEndpoints(o => o.MaxBodyBytes = limit));
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<RollbackKitWebhookOptions>>().Value);
        Assert.Contains("RollbackKit:Webhooks:MaxBodyBytes must be positive.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_SignedPolicyBreach_RunsTheRealWorkflowToRolledBack()
    {
        var dir = Directory.CreateTempSubdirectory("rollbackkit-aspnet-").FullName;
        var step = new RecordingPlaybookStep("recording");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Host.UseDefaultServiceProvider(o =>
        {
            o.ValidateOnBuild = true;
            o.ValidateScopes = true;
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IPlaybookStepFactory>(step);
        builder.Services.AddRollbackKit(o =>
            {
                o.MonitorEnabled = false;
                o.Targets.Add(new TargetDefinition { Id = "payments/checkout", Labels = { ["namespace"] = "payments", ["name"] = "checkout" } });
                o.Playbook = new PlaybookDefinition { Steps = [new PlaybookStepDefinition { Type = "recording", Name = "undo-rollout" }] };
                o.Workflow.JournalPath = Path.Combine(dir, "journal.jsonl");
                o.Workflow.EvidenceEnabled = false;
                o.Workflow.VerificationEnabled = false;
                o.Workflow.ProgressInterval = TimeSpan.Zero;
                o.Workflow.UnfinishedScanInterval = TimeSpan.Zero;
            })
            .AddPolicyBreachWebhook(o => o.Secret = PolicySecret);
        var app = builder.Build();
        app.MapRollbackKitWebhooks();
        try
        {
            await app.StartAsync();
            using var client = app.GetTestClient();
            const string Body = """{"type":"policy.breach","target":"payments/checkout","policy":"no-critical-cves","severity":"P0","id":"evt-9"}""";

            using var response = await client.PostAsync("rollbackkit/policy-breach", Json(Body, WebhookRequests.PolicyHeaders(Body, TimeProvider.System.GetUtcNow())));

            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("Started", answer.RootElement.GetProperty("status").GetString());
            var rollbackId = answer.RootElement.GetProperty("rollbackId").GetString()!;
            var status = await app.Services.GetRequiredService<IRollbackController>().WaitForCompletionAsync(rollbackId).WaitAsync(WebhookServer.WaitLimit);
            Assert.Equal(RollbackState.RolledBack, status.State);
            var execution = Assert.Single(step.Executions);
            Assert.Equal(RollbackTriggerType.PolicyBreach, execution.Request.TriggerType);
            Assert.Equal("payments/checkout", execution.Request.Target.Id);
            Assert.Equal("policy-breach:evt-9", execution.Request.DeduplicationKey);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed class TestHandler(string name, Func<WebhookRequest, WebhookResponse> answer) : IInboundWebhookHandler
    {
        private readonly List<WebhookRequest> _requests = [];

        public string Name { get; } = name;

        public IReadOnlyList<WebhookRequest> Requests
        {
            get
            {
                lock (_requests)
                {
                    return _requests.ToArray();
                }
            }
        }

        public ValueTask<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
        {
            lock (_requests)
            {
                _requests.Add(request);
            }

            return ValueTask.FromResult(answer(request));
        }
    }

    private sealed class GroupMarker;

    private sealed class BodySizeFeature : IHttpMaxRequestBodySizeFeature
    {
        public bool IsReadOnly { get; set; }

        public long? MaxRequestBodySize { get; set; }
    }

    /// <summary>A request body the server refuses the way Kestrel does once its own body limit is exceeded.</summary>
    private sealed class RefusingStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw Refused();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw Refused();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private static BadHttpRequestException Refused() => new("Request body too large.", StatusCodes.Status413PayloadTooLarge);
    }
}
