using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Prometheus.Tests.Infrastructure;
using RollbackKit.Prometheus.Tests.Integration;

namespace RollbackKit.Prometheus.Tests.Internal;

/// <summary>Client behaviour against a scripted loopback HTTP server (status codes, auth, TLS, retries).</summary>
public sealed class PrometheusClientTests
{
    private const string OkVector = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"7"]}]}}""";

    private sealed class ScriptedServer
    {
        public ConcurrentQueue<(int Status, string Body)> Responses { get; } = new();

        public ConcurrentQueue<(Dictionary<string, string> Headers, Dictionary<string, string> Form, string Path)> Requests { get; } = new();

        public async Task HandleAsync(HttpContext context)
        {
            var form = await context.Request.ReadFormAsync();
            Requests.Enqueue((
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal),
                context.Request.Path.Value ?? string.Empty));
            var (status, body) = Responses.TryDequeue(out var next) ? next : (200, OkVector);
            if (status == 0)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        }
    }

    private static PrometheusClient CreateClient(Uri baseAddress, Action<PrometheusOptions>? configure = null, TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        var options = new PrometheusOptions { BaseAddress = baseAddress, RetryDelay = TimeSpan.Zero };
        configure?.Invoke(options);
        var http = new HttpClient(handler ?? PrometheusHttpHandler.Create(options)) { Timeout = Timeout.InfiniteTimeSpan };
        return new PrometheusClient(() => http, options, time ?? TimeProvider.System, NullLogger.Instance);
    }

    [Fact]
    public async Task QueryAsync_PostsFormWithQueryTimeAndTimeout()
    {
        var script = new ScriptedServer();
        await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync);
        var client = CreateClient(new Uri(server.BaseAddress, "prom/"));
        var sink = new CollectingSink();

        var result = await client.QueryAsync("up{a=\"b\"}", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500), TimeSpan.FromSeconds(3), default, sink, CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal([7.0], sink.Values);
        var request = Assert.Single(script.Requests);
        Assert.Equal("/prom/api/v1/query", request.Path);
        Assert.Equal("up{a=\"b\"}", request.Form["query"]);
        Assert.Equal("1700000000.5", request.Form["time"]);
        Assert.Equal("3000ms", request.Form["timeout"]);
    }

    [Theory]
    [InlineData(503, """{"status":"error","errorType":"unavailable","error":"busy"}""")]
    [InlineData(503, """{"status":"error","errorType":"timeout","error":"query timed out"}""")]
    [InlineData(500, "oops")]
    [InlineData(429, "")]
    public async Task QueryAsync_TransientFailureThenSuccess_IsRetried(int status, string body)
    {
        var script = new ScriptedServer();
        script.Responses.Enqueue((status, body));
        script.Responses.Enqueue((status, body));
        await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync);
        var client = CreateClient(server.BaseAddress, o => o.MaxRetries = 2);

        var result = await client.QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10), default, new CollectingSink(), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(3, script.Requests.Count);
    }

    [Fact]
    public async Task QueryAsync_TransientFailureExhaustsRetries_ReturnsUnavailableWithMessage()
    {
        var script = new ScriptedServer();
        for (var i = 0; i < 3; i++)
        {
            script.Responses.Enqueue((503, """{"status":"error","errorType":"unavailable","error":"storage busy"}"""));
        }

        await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync);
        var client = CreateClient(server.BaseAddress, o => o.MaxRetries = 2);

        var result = await client.QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10), default, new CollectingSink(), CancellationToken.None);

        Assert.Equal(PrometheusErrorKind.Unavailable, result.ErrorKind);
        Assert.Contains("storage busy", result.Error, StringComparison.Ordinal);
        Assert.Equal(3, script.Requests.Count);
    }

    [Theory]
    [InlineData(400, """{"status":"error","errorType":"bad_data","error":"parse error"}""", (int)PrometheusErrorKind.BadData)]
    [InlineData(422, """{"status":"error","errorType":"execution","error":"many-to-many matching"}""", (int)PrometheusErrorKind.Rejected)]
    [InlineData(404, "not found", (int)PrometheusErrorKind.Rejected)]
    [InlineData(401, "", (int)PrometheusErrorKind.Rejected)]
    public async Task QueryAsync_ClientError_IsNotRetried(int status, string body, int kind)
    {
        var script = new ScriptedServer();
        script.Responses.Enqueue((status, body));
        await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync);
        var client = CreateClient(server.BaseAddress, o => o.MaxRetries = 3);

        var result = await client.QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10), default, new CollectingSink(), CancellationToken.None);

        Assert.Equal((PrometheusErrorKind)kind, result.ErrorKind);
        Assert.Single(script.Requests);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"x\"]}]}}")]
    [InlineData("<html>proxy error</html>")]
    [InlineData("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[")]
    public async Task QueryAsync_MalformedBody_IsMalformedError(string body)
    {
        var script = new ScriptedServer();
        script.Responses.Enqueue((200, body));
        await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync);
        var client = CreateClient(server.BaseAddress);

        var result = await client.QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10), default, new CollectingSink(), CancellationToken.None);

        Assert.Equal(PrometheusErrorKind.Malformed, result.ErrorKind);
        Assert.StartsWith("malformed response", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_ConnectionRefused_IsTransportErrorWithoutSecrets()
    {
        var port = FreePort.Get();
        var client = CreateClient(new Uri($"http://127.0.0.1:{port}/"), o =>
        {
            o.BearerToken = "super-secret-token";
            o.MaxRetries = 1;
        });

        var result = await client.QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10), default, new CollectingSink(), CancellationToken.None);

        Assert.Equal(PrometheusErrorKind.Transport, result.ErrorKind);
        Assert.Contains("cannot reach Prometheus", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("super-secret-token", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_ServerNeverAnswers_TimesOutWithClearMessage()
    {
        var script = new ScriptedServer();
        script.Responses.Enqueue((0, string.Empty));
        await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync);
        var client = CreateClient(server.BaseAddress, o => o.MaxRetries = 0);

        var result = await client.QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(300), default, new CollectingSink(), CancellationToken.None);

        Assert.Equal(PrometheusErrorKind.Timeout, result.ErrorKind);
        Assert.Contains("did not answer within 0.3s", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_CallerCancelsWhileWaiting_ThrowsOperationCanceled()
    {
        var script = new ScriptedServer();
        script.Responses.Enqueue((0, string.Empty));
        await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync);
        var client = CreateClient(server.BaseAddress);
        using var cts = new CancellationTokenSource();

        var query = client.QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), default, new CollectingSink(), cts.Token).AsTask();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!script.Requests.IsEmpty), TimeSpan.FromSeconds(10)));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => query);
    }

    [Fact]
    public async Task QueryAsync_RetryUnderAFakeClock_FollowsAtOnceWithoutWaitingOnIt()
    {
        var script = new ScriptedServer();
        script.Responses.Enqueue((503, "{}"));
        await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var start = time.GetUtcNow();
        var client = CreateClient(server.BaseAddress, o =>
        {
            o.MaxRetries = 1;
            o.RetryDelay = TimeSpan.FromMinutes(10);
        }, time);

        // Backoff is waited only on the system clock: nobody advances this one, and the retry still happens.
        var result = await client.QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromHours(2), default, new CollectingSink(), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(2, script.Requests.Count);
        Assert.Equal(start, time.GetUtcNow());
    }

    [Fact]
    public async Task QueryAsync_BearerTokenAndHeaders_AreSent()
    {
        var script = new ScriptedServer();
        await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync);
        var client = CreateClient(server.BaseAddress, o =>
        {
            o.BearerToken = "tok-123";
            o.Headers["X-Scope-OrgID"] = "tenant-a";
        });

        await client.QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5), default, new CollectingSink(), CancellationToken.None);

        var request = Assert.Single(script.Requests);
        Assert.Equal("Bearer tok-123", request.Headers["Authorization"]);
        Assert.Equal("tenant-a", request.Headers["X-Scope-OrgID"]);
    }

    [Fact]
    public async Task QueryAsync_BasicAuth_IsSent()
    {
        var script = new ScriptedServer();
        await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync);
        var client = CreateClient(server.BaseAddress, o =>
        {
            o.Username = "reader";
            o.Password = "pa:ss";
        });

        await client.QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5), default, new CollectingSink(), CancellationToken.None);

        var request = Assert.Single(script.Requests);
        Assert.Equal("Basic " + Convert.ToBase64String("reader:pa:ss"u8), request.Headers["Authorization"]);
    }

    [Fact]
    public async Task QueryAsync_TlsWithCaFile_TrustsOnlyThatCa()
    {
        var dir = Directory.CreateTempSubdirectory("rbk-tls-");
        try
        {
            var (caPem, serverCert) = CreateCaAndServerCertificate();
            var caFile = Path.Combine(dir.FullName, "ca.pem");
            await File.WriteAllTextAsync(caFile, caPem);
            var script = new ScriptedServer();
            await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync, listen => listen.UseHttps(serverCert));
            var httpsBase = new Uri(server.BaseAddress.ToString().Replace("http://", "https://", StringComparison.Ordinal));

            var trusted = await CreateClient(httpsBase, o => o.CaFile = caFile)
                .QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5), default, new CollectingSink(), CancellationToken.None);
            var untrusted = await CreateClient(httpsBase, o => o.MaxRetries = 0)
                .QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5), default, new CollectingSink(), CancellationToken.None);

            Assert.True(trusted.IsSuccess, trusted.Error);
            Assert.Equal(PrometheusErrorKind.Transport, untrusted.ErrorKind);
            Assert.Single(script.Requests);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task QueryAsync_TlsWithOtherCa_IsRejected()
    {
        var dir = Directory.CreateTempSubdirectory("rbk-tls-");
        try
        {
            var (_, serverCert) = CreateCaAndServerCertificate();
            var (otherCaPem, _) = CreateCaAndServerCertificate();
            var caFile = Path.Combine(dir.FullName, "other-ca.pem");
            await File.WriteAllTextAsync(caFile, otherCaPem);
            var script = new ScriptedServer();
            await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync, listen => listen.UseHttps(serverCert));
            var httpsBase = new Uri(server.BaseAddress.ToString().Replace("http://", "https://", StringComparison.Ordinal));

            var result = await CreateClient(httpsBase, o =>
            {
                o.CaFile = caFile;
                o.MaxRetries = 0;
            }).QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5), default, new CollectingSink(), CancellationToken.None);

            Assert.Equal(PrometheusErrorKind.Transport, result.ErrorKind);
            Assert.Empty(script.Requests);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static (string CaPem, X509Certificate2 ServerCertificate) CreateCaAndServerCertificate()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=RollbackKit Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);
        using var withKey = issued.CopyWithPrivateKey(serverKey);
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return (ca.ExportCertificatePem(), server);
    }

    [Fact]
    public async Task QueryAsync_RecordsAClientSpanWithApiAndSeriesCount()
    {
        var script = new ScriptedServer();
        await using var server = await LoopbackHttpServer.StartAsync(script.HandleAsync);
        var client = CreateClient(server.BaseAddress);
        using var spans = new SpanCollector();

        var result = await client.QueryAsync("up", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), TimeSpan.FromSeconds(3), default, new CollectingSink(), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        var span = Assert.Single(spans.Spans("rollbackkit.prometheus.query"));
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("query", span.GetTagItem("prometheus.api"));
        Assert.Equal(1, span.GetTagItem("prometheus.series"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }
}
