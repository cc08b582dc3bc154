using System.Net;
using System.Net.Sockets;
using System.Text;
using RollbackKit.Playbooks;

namespace RollbackKit.Tests.Playbooks;

/// <summary>A loopback HTTP server answering by path: /status/{code} and /json/{body}.</summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public LoopbackHttpServer()
    {
        var port = FreePort();
        Prefix = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Prefix);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Prefix { get; }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            var path = context.Request.Url!.AbsolutePath;
            var status = 200;
            var body = "ok";
            if (path.StartsWith("/status/", StringComparison.Ordinal))
            {
                status = int.Parse(path["/status/".Length..]);
                body = "status " + status;
            }
            else if (path == "/health")
            {
                body = "{\"status\":\"UP\",\"checks\":{\"db\":{\"ok\":true}},\"version\":3}";
            }

            context.Response.StatusCode = status;
            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _ = _loop;
    }
}

public class HttpCheckStepTests(LoopbackHttpServer server) : IClassFixture<LoopbackHttpServer>
{
    private async Task<StepResult> RunAsync(Dictionary<string, string> settings, EvidenceCollector? evidence = null)
    {
        using var factory = new HttpCheckStepFactory();
        var step = factory.Create(new PlaybookStepDefinition { Type = "http", Name = "health", Settings = new(settings, StringComparer.OrdinalIgnoreCase) });
        return await step.ExecuteAsync(PlaybookTestContext.Create(TimeProvider.System, evidence), CancellationToken.None);
    }

    [Fact]
    public async Task Http_ExpectedStatus_Succeeds()
    {
        var evidence = new EvidenceCollector();
        var result = await RunAsync(new() { ["url"] = server.Prefix + "status/200" }, evidence);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("status 200", result.Message);
        var item = Assert.Single(evidence.Items);
        Assert.Equal("steps/health/attempt-1-response.txt", item.Key);
        Assert.Equal($"GET {server.Prefix}status/200\nstatus: 200\n\nstatus 200", item.Value);
    }

    [Fact]
    public async Task Http_ServerError_TransientFailure()
    {
        var result = await RunAsync(new() { ["url"] = server.Prefix + "status/503" });
        Assert.False(result.Succeeded);
        Assert.True(result.Transient);
        Assert.Equal("status 503, expected 200", result.Message);
    }

    [Fact]
    public async Task Http_CustomExpectedStatus_Matches()
    {
        var result = await RunAsync(new() { ["url"] = server.Prefix + "status/204", ["expectedStatus"] = "204" });
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("status 204", result.Message);
    }

    [Fact]
    public async Task Http_CustomExpectedStatus_OtherStatusFails()
    {
        var result = await RunAsync(new() { ["url"] = server.Prefix + "status/200", ["expectedStatus"] = "204" });
        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Equal("status 200, expected 204", result.Message);
    }

    [Fact]
    public async Task Http_BadRequest_NotTransient()
    {
        var evidence = new EvidenceCollector();
        var result = await RunAsync(new() { ["url"] = server.Prefix + "status/400" }, evidence);
        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Equal("status 400, expected 200", result.Message);
        var item = Assert.Single(evidence.Items);
        Assert.Equal("steps/health/attempt-1-response.txt", item.Key);
        Assert.Equal($"GET {server.Prefix}status/400\nstatus: 400\n\nstatus 400", item.Value);
    }

    /// <summary>Which unexpected statuses are worth retrying: 5xx, 429 and 404 are; other 4xx and 3xx are not.</summary>
    [Theory]
    [InlineData(301, false)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, true)]
    [InlineData(409, false)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    public async Task Http_UnexpectedStatus_TransientOnlyFor5xx429And404(int status, bool transient)
    {
        var result = await RunAsync(new() { ["url"] = server.Prefix + "status/" + status });
        Assert.False(result.Succeeded);
        Assert.Equal(transient, result.Transient);
        Assert.Equal($"status {status}, expected 200", result.Message);
    }

    [Theory]
    [InlineData("status", "UP", true, "JSON field 'status' = 'UP'")]
    [InlineData("status", "DOWN", false, "JSON field 'status' = 'UP', expected 'DOWN'")]
    [InlineData("status", "up", false, "JSON field 'status' = 'UP', expected 'up'")] // strings compare case-sensitively
    [InlineData("checks.db.ok", "TRUE", true, "JSON field 'checks.db.ok' = 'true'")] // booleans compare case-insensitively
    [InlineData("version", "3", true, "JSON field 'version' = '3'")]
    [InlineData("version", "3.0", false, "JSON field 'version' = '3', expected '3.0'")] // numbers compare as raw text
    [InlineData("checks", "{\"db\":{\"ok\":true}}", true, "JSON field 'checks' = '{\"db\":{\"ok\":true}}'")]
    [InlineData("checks.cache.ok", "true", false, "JSON field 'checks.cache.ok' not found")]
    [InlineData("status.inner", "x", false, "JSON field 'status.inner' not found")]
    public async Task Http_JsonField_Compared(string field, string value, bool expected, string message)
    {
        var result = await RunAsync(new() { ["url"] = server.Prefix + "health", ["jsonField"] = field, ["jsonValue"] = value });
        Assert.Equal(expected, result.Succeeded);
        Assert.Equal(message, result.Message);
        Assert.Equal(!expected, result.Transient); // a health field not (yet) as expected is retried
    }

    [Fact]
    public async Task Http_JsonFieldWithoutValue_SucceedsWhenPresent()
    {
        var present = await RunAsync(new() { ["url"] = server.Prefix + "health", ["jsonField"] = "checks.db" });
        var missing = await RunAsync(new() { ["url"] = server.Prefix + "health", ["jsonField"] = "checks.cache" });
        Assert.True(present.Succeeded);
        Assert.Equal("JSON field 'checks.db' present", present.Message);
        Assert.False(missing.Succeeded);
        Assert.Equal("JSON field 'checks.cache' not found", missing.Message);
    }

    [Fact]
    public async Task Http_JsonFieldOnNonJson_Fails()
    {
        var result = await RunAsync(new() { ["url"] = server.Prefix + "status/200", ["jsonField"] = "status" });
        Assert.False(result.Succeeded);
        Assert.True(result.Transient);
        Assert.StartsWith("response is not JSON: ", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ConnectionRefused_TransientFailure()
    {
        int port;
        using (var socket = new TcpListener(IPAddress.Loopback, 0))
        {
            socket.Start();
            port = ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        var evidence = new EvidenceCollector();
        var result = await RunAsync(new() { ["url"] = $"http://127.0.0.1:{port}/path?token=secret" }, evidence);
        Assert.False(result.Succeeded);
        Assert.True(result.Transient);
        Assert.StartsWith($"GET http://127.0.0.1:{port}/path failed: ", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.Message, StringComparison.Ordinal); // the query string is left out
        Assert.Empty(evidence.Items);
    }
}
