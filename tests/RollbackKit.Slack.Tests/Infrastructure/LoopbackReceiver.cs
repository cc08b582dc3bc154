using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RollbackKit.Slack.Tests.Infrastructure;

/// <summary>A request the receiver got.</summary>
public sealed record ReceivedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>What the receiver answers.</summary>
public sealed record PlannedResponse(int Status, string Body = "", string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null, bool Hang = false);

/// <summary>
/// A Kestrel server on 127.0.0.1 (free port) standing in for Slack and PagerDuty: records every request and answers
/// from a programmable responder.
/// </summary>
public sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private int _slackTs;

    private LoopbackReceiver(WebApplication app) => _app = app;

    /// <summary>Answers a request; default: Slack-style <c>{"ok":true,"ts":…}</c> for Web API calls, <c>ok</c> otherwise.</summary>
    public Func<ReceivedRequest, PlannedResponse>? Responder { get; set; }

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Requests => _requests.ToArray();

    public static async Task<LoopbackReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new LoopbackReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()!.Addresses.First()
            : throw new InvalidOperationException("no server");
        receiver.BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        Assert.Equal("127.0.0.1", receiver.BaseUrl.Host);
        return receiver;
    }

    public Uri Url(string relative) => new(BaseUrl, relative);

    /// <summary>Waits (bounded) until at least <paramref name="count"/> requests arrived; returns them.</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (_requests.Count < count)
        {
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"expected {count} requests, got {_requests.Count}: {string.Join(", ", _requests.Select(r => r.Path))}");
            }
        }

        return Requests;
    }

    /// <summary>Waits (bounded) until the requests so far satisfy <paramref name="condition"/>; returns them.</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitForAsync(Func<IReadOnlyList<ReceivedRequest>, bool> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (!condition(Requests))
        {
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"condition not met; requests: {string.Join(", ", _requests.Select(r => r.Path))}");
            }
        }

        return Requests;
    }

    public void Clear()
    {
        while (_requests.TryDequeue(out _))
        {
        }

        while (_arrived.CurrentCount > 0)
        {
            _arrived.Wait(0);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var ms = new MemoryStream();
        await context.Request.Body.CopyToAsync(ms);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in context.Request.Headers)
        {
            headers[k] = v.ToString();
        }

        var request = new ReceivedRequest(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? string.Empty, headers, ms.ToArray());
        var plan = Responder?.Invoke(request) ?? Default(request);
        _requests.Enqueue(request);
        _arrived.Release();
        if (plan.Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token).Token);
            }
            catch (OperationCanceledException)
            {
            }

            return;
        }

        context.Response.StatusCode = plan.Status;
        if (plan.Headers is not null)
        {
            foreach (var (k, v) in plan.Headers)
            {
                context.Response.Headers[k] = v;
            }
        }

        context.Response.ContentType = plan.ContentType;
        await context.Response.WriteAsync(plan.Body);
    }

    private PlannedResponse Default(ReceivedRequest request)
    {
        if (request.Path.EndsWith("/chat.postMessage", StringComparison.Ordinal))
        {
            var ts = "1700000000." + Interlocked.Increment(ref _slackTs).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            var channel = request.Json.TryGetProperty("channel", out var c) ? c.GetString() : null;
            return new PlannedResponse(200, JsonSerializer.Serialize(new { ok = true, channel = "C" + (channel ?? "X").TrimStart('#').ToUpperInvariant(), ts }));
        }

        if (request.Path.EndsWith("/chat.update", StringComparison.Ordinal))
        {
            return new PlannedResponse(200, """{"ok":true}""");
        }

        if (request.Path.EndsWith("/v2/enqueue", StringComparison.Ordinal))
        {
            return new PlannedResponse(202, """{"status":"success","message":"Event processed"}""");
        }

        return new PlannedResponse(200, "ok", "text/plain");
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
