using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Dispatch;
using RollbackKit.Prometheus.Tests.Infrastructure;
using RollbackKit.Webhooks;
using RollbackKit.Triggers;

namespace RollbackKit.Prometheus.Tests.Alertmanager;

public sealed class AlertmanagerWebhookHandlerTests : IDisposable
{
    private readonly RecordingDispatcher _dispatcher = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _provider;
    private readonly IInboundWebhookHandler _handler;

    public AlertmanagerWebhookHandlerTests()
    {
        _provider = CreateProvider(_dispatcher, _time, o => o.BearerToken = "hook-token");
        _handler = _provider.GetServices<IInboundWebhookHandler>().Single(h => h.Name == "alertmanager");
    }

    public void Dispose() => _provider.Dispose();

    internal static ServiceProvider CreateProvider(IRollbackDispatcher dispatcher, TimeProvider time, Action<AlertmanagerSignalOptions>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RollbackKit:Targets:0:Id"] = "shop/checkout",
            ["RollbackKit:Targets:0:Labels:namespace"] = "shop",
            ["RollbackKit:Targets:0:Labels:name"] = "checkout",
            ["RollbackKit:Targets:1:Id"] = "shop/cart",
            ["RollbackKit:Targets:1:Labels:namespace"] = "shop",
            ["RollbackKit:Targets:1:Labels:name"] = "cart",
            ["RollbackKit:Playbook:Steps:0:Type"] = "delay",
            ["RollbackKit:Playbook:Steps:0:Settings:duration"] = "0s",
        };
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton(time);
        services.AddSingleton(dispatcher);
        services.AddRollbackKit().AddAlertmanagerSignals(configure);
        return services.BuildServiceProvider();
    }

    internal static string Payload(string status, params (string Fingerprint, string Status, string Labels, string Annotations)[] alerts)
    {
        var items = string.Join(',', alerts.Select(a =>
            $$"""{"status":"{{a.Status}}","labels":{{{a.Labels}}},"annotations":{{{a.Annotations}}},"startsAt":"2026-11-25T09:59:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://127.0.0.1/graph","fingerprint":"{{a.Fingerprint}}"}"""));
        return $$"""{"version":"4","groupKey":"{}:{alertname=\"X\"}","truncatedAlerts":0,"status":"{{status}}","receiver":"rollbackkit","groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093","alerts":[{{items}}]}""";
    }

    private const string CheckoutLabels = "\"alertname\":\"CheckoutErrors\",\"rollback\":\"true\",\"namespace\":\"shop\",\"name\":\"checkout\",\"severity\":\"critical\"";

    private Task<WebhookResponse> SendAsync(string body, string? token = "hook-token") =>
        _handler.HandleAsync(
            new WebhookRequest(
                Encoding.UTF8.GetBytes(body),
                token is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["authorization"] = "Bearer " + token },
                "application/json"),
            CancellationToken.None).AsTask();

    [Fact]
    public async Task HandleAsync_FiringAlertWithSelector_DispatchesRollbackForMatchedTarget()
    {
        var response = await SendAsync(Payload("firing", ("fp1", "firing", CheckoutLabels, "\"summary\":\"Checkout 5xx above 5%\",\"description\":\"long text\"")));

        Assert.Equal(200, response.StatusCode);
        Assert.Contains("\"dispatched\":1", response.Body, StringComparison.Ordinal);
        var request = Assert.Single(_dispatcher.Requests);
        Assert.Equal("shop/checkout", request.Target.Id);
        Assert.Equal(RollbackTriggerType.Alert, request.TriggerType);
        Assert.Equal(RollbackSeverity.Critical, request.Severity);
        Assert.Equal("Checkout 5xx above 5%", request.Reason);
        Assert.Equal("fp1", request.DeduplicationKey);
        Assert.Equal("alertmanager", request.RequestedBy);
        Assert.Equal("CheckoutErrors", request.Details["alertname"]);
        Assert.Equal(_time.GetUtcNow(), request.RequestedAt);
    }

    [Fact]
    public async Task HandleAsync_SameFingerprintTwice_DispatchesOnce()
    {
        var body = Payload("firing", ("fp1", "firing", CheckoutLabels, "\"description\":\"d\""));

        await SendAsync(body);
        var second = await SendAsync(body);

        Assert.Single(_dispatcher.Requests);
        Assert.Equal("d", _dispatcher.Requests[0].Reason);
        Assert.Contains("\"duplicates\":1", second.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ResolvedAlert_IsRecordedNotDispatched()
    {
        var response = await SendAsync(Payload("resolved", ("fp1", "resolved", CheckoutLabels, "")));

        Assert.Equal(200, response.StatusCode);
        Assert.Contains("\"resolved\":1", response.Body, StringComparison.Ordinal);
        Assert.Empty(_dispatcher.Requests);
    }

    [Fact]
    public async Task HandleAsync_AlertWithoutSelectorOrUnknownTarget_IsNotDispatched()
    {
        var response = await SendAsync(Payload(
            "firing",
            ("fp1", "firing", "\"alertname\":\"A\",\"namespace\":\"shop\",\"name\":\"checkout\"", ""),
            ("fp2", "firing", "\"alertname\":\"B\",\"rollback\":\"true\",\"namespace\":\"shop\",\"name\":\"unknown\"", ""),
            ("fp3", "firing", "\"alertname\":\"C\",\"rollback\":\"false\",\"name\":\"checkout\"", "")));

        Assert.Equal(200, response.StatusCode);
        Assert.Contains("\"ignored\":2", response.Body, StringComparison.Ordinal);
        Assert.Contains("\"unmatched\":1", response.Body, StringComparison.Ordinal);
        Assert.Empty(_dispatcher.Requests);
    }

    [Fact]
    public async Task HandleAsync_TargetLabelAndUnknownSeverity_UsesTargetIdAndDefaultSeverity()
    {
        await SendAsync(Payload("firing", ("fp9", "firing", "\"alertname\":\"Mem\",\"rollback\":\"true\",\"target\":\"shop/cart\",\"severity\":\"whatever\"", "")));

        var request = Assert.Single(_dispatcher.Requests);
        Assert.Equal("shop/cart", request.Target.Id);
        Assert.Equal(RollbackSeverity.High, request.Severity);
        Assert.Equal("Alertmanager alert Mem is firing", request.Reason);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"labels\":5}]}")]
    [InlineData("{\"version\":\"4\"}")]
    [InlineData("{\"version\":\"3\",\"alerts\":[]}")]
    [InlineData("")]
    public async Task HandleAsync_MalformedPayload_Returns400(string body)
    {
        var response = await SendAsync(body);

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains("\"detail\"", response.Body, StringComparison.Ordinal);
        Assert.Empty(_dispatcher.Requests);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 }, "not valid UTF-8")]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0' }, "lone UTF-16 surrogate")]
    public async Task HandleAsync_UndecodableString_Returns400ProblemSayingWhat(byte[] inString, string expected)
    {
        var valid = Encoding.UTF8.GetBytes(Payload("firing", ("fp1", "firing", CheckoutLabels, "")));
        byte[] body = [.. "{\"x\":\""u8, .. inString, .. "\","u8, .. valid.AsSpan(1)];

        var response = await _handler.HandleAsync(
            new WebhookRequest(body, new Dictionary<string, string> { ["authorization"] = "Bearer hook-token" }, "application/json"),
            CancellationToken.None);

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains(expected, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-token", response.Body, StringComparison.Ordinal);
        Assert.Empty(_dispatcher.Requests);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    [InlineData("hook-token-longer")]
    public async Task HandleAsync_MissingOrWrongToken_Returns401(string? token)
    {
        var response = await SendAsync(Payload("firing", ("fp1", "firing", CheckoutLabels, "")), token);

        Assert.Equal(401, response.StatusCode);
        Assert.Empty(_dispatcher.Requests);
    }

    private static WebhookRequest WithAuthorization(string body, string? authorization) =>
        new(
            Encoding.UTF8.GetBytes(body),
            authorization is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Authorization"] = authorization },
            "application/json");

    private static string Basic(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));

    [Theory]
    [InlineData("am", "s3cret:with-colon", 200)]
    [InlineData("am", "wrong", 401)]
    [InlineData("AM", "s3cret:with-colon", 401)]
    [InlineData("am", "s3cret:with-colo", 401)]
    public async Task HandleAsync_BasicAuthConfigured_AcceptsOnlyTheRightUserAndPassword(string user, string password, int expected)
    {
        using var provider = CreateProvider(_dispatcher, _time, o =>
        {
            o.Username = "am";
            o.Password = "s3cret:with-colon";
        });
        var handler = provider.GetServices<IInboundWebhookHandler>().Single(h => h.Name == "alertmanager");

        var response = await handler.HandleAsync(WithAuthorization(Payload("firing", ("fp1", "firing", CheckoutLabels, "")), Basic(user, password)), CancellationToken.None);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == 200 ? 1 : 0, _dispatcher.Requests.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer s3cret:with-colon")]
    [InlineData("Basic not-base64!")]
    [InlineData("Basic YW0=")]
    [InlineData("Digest am")]
    public async Task HandleAsync_BasicAuthConfiguredButOtherOrNoCredentials_Returns401(string? authorization)
    {
        using var provider = CreateProvider(_dispatcher, _time, o =>
        {
            o.Username = "am";
            o.Password = "s3cret:with-colon";
        });
        var handler = provider.GetServices<IInboundWebhookHandler>().Single(h => h.Name == "alertmanager");

        var response = await handler.HandleAsync(WithAuthorization(Payload("firing", ("fp1", "firing", CheckoutLabels, "")), authorization), CancellationToken.None);

        Assert.Equal(401, response.StatusCode);
        Assert.Empty(_dispatcher.Requests);
    }

    [Fact]
    public async Task HandleAsync_AllowAnonymousExplicitly_AcceptsWithoutCredentials()
    {
        using var provider = CreateProvider(_dispatcher, _time, o => o.AllowAnonymous = true);
        var handler = provider.GetServices<IInboundWebhookHandler>().Single(h => h.Name == "alertmanager");

        var response = await handler.HandleAsync(WithAuthorization(Payload("firing", ("fp1", "firing", CheckoutLabels, "")), null), CancellationToken.None);

        Assert.Equal(200, response.StatusCode);
        Assert.Single(_dispatcher.Requests);
    }

    [Fact]
    public async Task HandleAsync_NoCredentialsConfigured_NeverAcceptsAnonymousPosts()
    {
        using var provider = CreateProvider(_dispatcher, _time);

        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => provider.GetServices<IInboundWebhookHandler>().Single(h => h.Name == "alertmanager"));

        Assert.Contains("RollbackKit:Alertmanager:BearerToken", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AllowAnonymous", ex.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
        Assert.Empty(_dispatcher.Requests);
    }

    [Fact]
    public async Task HandleAsync_DispatcherFails_Returns500AndRetryDispatches()
    {
        _dispatcher.FailWith = _ => new InvalidOperationException("store down");
        var body = Payload("firing", ("fp1", "firing", CheckoutLabels, ""));

        var failed = await SendAsync(body);
        _dispatcher.FailWith = null;
        var retried = await SendAsync(body);

        Assert.Equal(500, failed.StatusCode);
        Assert.Equal(200, retried.StatusCode);
        Assert.Single(_dispatcher.Requests);
    }

    [Fact]
    public async Task HandleAsync_AlertWithoutFingerprint_UsesStableLabelHash()
    {
        var body = Payload("firing", (string.Empty, "firing", CheckoutLabels, ""));

        await SendAsync(body);
        await SendAsync(body);

        var request = Assert.Single(_dispatcher.Requests);
        Assert.Equal(16, request.DeduplicationKey!.Length);
    }
}
