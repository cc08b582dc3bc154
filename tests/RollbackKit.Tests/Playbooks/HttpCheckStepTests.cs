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
        Assert.Contains("status: 200", evidence.Items.Single().Value, StringComparison.Ordinal);
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
    }

    [Fact]
    public async Task Http_BadRequest_NotTransient()
    {
        var result = await RunAsync(new() { ["url"] = server.Prefix + "status/400" });
        Assert.False(result.Transient);
    }

    [Theory]
    [InlineData("status", "UP", true)]
    [InlineData("status", "DOWN", false)]
    [InlineData("checks.db.ok", "TRUE", true)]
    [InlineData("version", "3", true)]
    [InlineData("checks.cache.ok", "true", false)]
    public async Task Http_JsonField_Compared(string field, string value, bool expected)
    {
        var result = await RunAsync(new() { ["url"] = server.Prefix + "health", ["jsonField"] = field, ["jsonValue"] = value });
        Assert.Equal(expected, result.Succeeded);
    }

    [Fact]
    public async Task Http_JsonFieldOnNonJson_Fails()
    {
        var result = await RunAsync(new() { ["url"] = server.Prefix + "status/200", ["jsonField"] = "status" });
        Assert.False(result.Succeeded);
        Assert.Contains("not JSON", result.Message, StringComparison.Ordinal);
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

        var result = await RunAsync(new() { ["url"] = $"http://127.0.0.1:{port}/" });
        Assert.False(result.Succeeded);
        Assert.True(result.Transient);
    }
}
