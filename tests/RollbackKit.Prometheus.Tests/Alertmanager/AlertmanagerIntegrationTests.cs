using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Prometheus.Tests.Infrastructure;
using RollbackKit.Webhooks;

namespace RollbackKit.Prometheus.Tests.Alertmanager;

/// <summary>The real Alertmanager sending a bearer token (<c>http_config.authorization</c>).</summary>
public sealed class AlertmanagerIntegrationTests : AlertmanagerIntegrationTestsBase
{
    private const string Token = "am-webhook-token";

    protected override void ConfigureHandler(AlertmanagerSignalOptions options) => options.BearerToken = Token;

    protected override string HttpConfig => $"""
        authorization:
          type: Bearer
          credentials: {Token}
        """;
}

/// <summary>The real Alertmanager sending HTTP basic authentication (<c>http_config.basic_auth</c>).</summary>
public sealed class AlertmanagerBasicAuthIntegrationTests : AlertmanagerIntegrationTestsBase
{
    protected override void ConfigureHandler(AlertmanagerSignalOptions options)
    {
        options.Username = "alertmanager";
        options.Password = "am-basic-password";
    }

    protected override string HttpConfig => """
        basic_auth:
          username: alertmanager
          password: am-basic-password
        """;
}

/// <summary>
/// The real Alertmanager (Debian package) on loopback, with a webhook receiver pointing at the handler hosted in a
/// minimal Kestrel app; alerts are posted to its API and must arrive as exactly one rollback request each, every
/// delivery authenticated with the credentials Alertmanager's <c>http_config</c> sends.
/// </summary>
public abstract class AlertmanagerIntegrationTestsBase : IAsyncLifetime
{
    private const string AlertmanagerBinary = "/usr/bin/prometheus-alertmanager";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rbk-am-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly RecordingDispatcher _dispatcher = new();
    private readonly ConcurrentQueue<(int Status, string Body)> _deliveries = new();
    private ServiceProvider? _provider;
    private LoopbackHttpServer? _receiver;
    private ExternalProcess? _alertmanager;
    private Uri? _alertmanagerAddress;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Sets the credentials the handler requires.</summary>
    protected abstract void ConfigureHandler(AlertmanagerSignalOptions options);

    /// <summary>The receiver's <c>http_config</c> block (YAML, unindented) that sends those credentials.</summary>
    protected abstract string HttpConfig { get; }

    public async Task InitializeAsync()
    {
        ExternalProcess.RequireBinary(AlertmanagerBinary);
        Directory.CreateDirectory(_root);
        _provider = AlertmanagerWebhookHandlerTests.CreateProvider(_dispatcher, TimeProvider.System, ConfigureHandler);
        var handler = _provider.GetServices<IInboundWebhookHandler>().Single(h => h.Name == "alertmanager");
        _receiver = await LoopbackHttpServer.StartAsync(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var response = await handler.HandleAsync(new WebhookRequest(buffer.ToArray(), headers, context.Request.ContentType), context.RequestAborted);
            _deliveries.Enqueue((response.StatusCode, Encoding.UTF8.GetString(buffer.ToArray())));
            context.Response.StatusCode = response.StatusCode;
            context.Response.ContentType = response.ContentType;
            await context.Response.WriteAsync(response.Body ?? string.Empty);
        });

        var port = FreePort.Get();
        _alertmanagerAddress = new Uri($"http://127.0.0.1:{port}/");
        var config = $$"""
            route:
              receiver: rollbackkit
              group_by: ['alertname']
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: rollbackkit
                webhook_configs:
                  - url: {{_receiver.BaseAddress}}alertmanager
                    send_resolved: true
                    http_config:
            {{Indent(HttpConfig, "          ")}}
            """;
        var configFile = Path.Combine(_root, "alertmanager.yml");
        await File.WriteAllTextAsync(configFile, config);
        _alertmanager = ExternalProcess.Start(AlertmanagerBinary,
        [
            "--config.file=" + configFile,
            "--storage.path=" + Path.Combine(_root, "data"),
            $"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ]);
        var ready = await Eventually.TrueAsync(async () =>
        {
            if (_alertmanager.HasExited)
            {
                throw new InvalidOperationException("alertmanager exited:\n" + _alertmanager.Output);
            }

            try
            {
                using var response = await _http.GetAsync(new Uri(_alertmanagerAddress, "-/ready"));
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));
        Assert.True(ready, "alertmanager did not become ready:\n" + _alertmanager.Output);
    }

    public async Task DisposeAsync()
    {
        _alertmanager?.Dispose();
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        _http.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Indent(string yaml, string prefix) =>
        string.Join("\n", yaml.Split('\n').Select(line => prefix + line));

    private async Task PostAlertAsync(string name, DateTimeOffset? endsAt = null)
    {
        var alert = new Dictionary<string, object>
        {
            ["labels"] = new Dictionary<string, string>
            {
                ["alertname"] = "DeploymentUnhealthy",
                ["rollback"] = "true",
                ["namespace"] = "shop",
                ["name"] = name,
                ["severity"] = "critical",
            },
            ["annotations"] = new Dictionary<string, string> { ["summary"] = $"{name} error rate above 5%" },
            ["startsAt"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
        };
        if (endsAt is not null)
        {
            alert["endsAt"] = endsAt.Value.ToString("O");
        }

        using var response = await _http.PostAsJsonAsync(new Uri(_alertmanagerAddress!, "api/v2/alerts"), new[] { alert });
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v2/alerts: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task PostedAlert_ThroughRealAlertmanager_DispatchesExactlyOnceEvenWhenRepeated()
    {
        await PostAlertAsync("checkout");
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(_dispatcher.Requests.Count >= 1), TimeSpan.FromSeconds(30)), "no rollback request arrived");

        var first = Assert.Single(_dispatcher.Requests);
        Assert.Equal("shop/checkout", first.Target.Id);
        Assert.Equal(Triggers.RollbackSeverity.Critical, first.Severity);
        Assert.Equal("checkout error rate above 5%", first.Reason);
        Assert.False(string.IsNullOrEmpty(first.DeduplicationKey));

        // Post the same alert again plus a second one in the same group: Alertmanager re-sends the group with both,
        // so the first alert reaches the handler a second time.
        await PostAlertAsync("checkout");
        await PostAlertAsync("cart");
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(_dispatcher.Requests.Count >= 2), TimeSpan.FromSeconds(30)), "the second alert did not arrive");
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(_deliveries.Count(d => d.Body.Contains("\"name\":\"checkout\"", StringComparison.Ordinal)) >= 2),
            TimeSpan.FromSeconds(30)), "Alertmanager did not re-send the first alert");

        Assert.Equal(["shop/cart", "shop/checkout"], _dispatcher.Requests.Select(r => r.Target.Id).Order().ToArray());
        Assert.All(_deliveries, d => Assert.Equal(200, d.Status));

        // Resolving it is recorded, never dispatched.
        await PostAlertAsync("checkout", DateTimeOffset.UtcNow.AddSeconds(-1));
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(_deliveries.Any(d => d.Body.Contains("\"status\":\"resolved\"", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30)), "no resolved notification arrived");
        Assert.Equal(2, _dispatcher.Requests.Count);
    }
}
