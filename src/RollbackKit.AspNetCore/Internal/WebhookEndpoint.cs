using System.Buffers;
using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Webhooks;

namespace RollbackKit.AspNetCore.Internal;

/// <summary>Serves <c>POST {prefix}/{name}</c>: reads the raw body (bounded), passes it to the named handler, writes its answer.</summary>
internal sealed class WebhookEndpoint(
    IEnumerable<IInboundWebhookHandler> registeredHandlers,
    IMeterFactory meterFactory,
    IOptionsMonitor<RollbackKitWebhookOptions> options,
    ILogger<WebhookEndpoint> logger)
{
    private readonly WebhookMetrics _metrics = new(meterFactory);

    private FrozenDictionary<string, IInboundWebhookHandler>? _handlers;

    public async Task HandleAsync(HttpContext context)
    {
        var name = context.GetRouteValue("name") as string ?? string.Empty;
        var handlers = _handlers ??= BuildHandlers();
        if (!handlers.TryGetValue(name, out var handler))
        {
            Log.UnknownHandler(logger, name.Length > 64 ? name[..64] : name);
            _metrics.Request("unknown", StatusCodes.Status404NotFound);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var limit = options.CurrentValue.MaxBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            Log.BodyTooLarge(logger, handler.Name, limit);
            _metrics.Request(handler.Name, StatusCodes.Status413PayloadTooLarge);
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        // Let the server accept bodies up to our own limit (Kestrel's default is 30 MB); we enforce ours while reading.
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false } && (sizeFeature.MaxRequestBodySize is null || sizeFeature.MaxRequestBodySize < limit + 1))
        {
            sizeFeature.MaxRequestBodySize = limit + 1;
        }

        var ct = context.RequestAborted;
        byte[]? body;
        try
        {
            body = await ReadBodyAsync(context.Request.Body, limit, ct).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = null;
        }

        if (body is null)
        {
            Log.BodyTooLarge(logger, handler.Name, limit);
            _metrics.Request(handler.Name, StatusCodes.Status413PayloadTooLarge);
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var headers = new Dictionary<string, string>(context.Request.Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in context.Request.Headers)
        {
            headers[key] = value.ToString();
        }

        WebhookResponse response;
        try
        {
            response = await handler.HandleAsync(new WebhookRequest(body, headers, context.Request.ContentType), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // A failing handler answers 500; the exception type is logged, never the body.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(logger, handler.Name, ex.GetType().Name);
            _metrics.Request(handler.Name, StatusCodes.Status500InternalServerError);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        Log.Answered(logger, handler.Name, response.StatusCode);
        _metrics.Request(handler.Name, response.StatusCode);
        context.Response.StatusCode = response.StatusCode;
        if (response.Body is not null)
        {
            context.Response.ContentType = response.ContentType;
            await context.Response.WriteAsync(response.Body, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the whole body, or returns null as soon as it is longer than <paramref name="limit"/>.</summary>
    internal static async Task<byte[]?> ReadBodyAsync(Stream stream, long limit, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        long total = 0;
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await stream.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            total += read;
            if (total > limit)
            {
                return null;
            }

            buffer.Advance(read);
        }
    }

    private FrozenDictionary<string, IInboundWebhookHandler> BuildHandlers()
    {
        var map = new Dictionary<string, IInboundWebhookHandler>(StringComparer.OrdinalIgnoreCase);
        foreach (var handler in registeredHandlers)
        {
            if (!map.TryAdd(handler.Name, handler))
            {
                Log.DuplicateHandler(logger, handler.Name);
            }
        }

        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
