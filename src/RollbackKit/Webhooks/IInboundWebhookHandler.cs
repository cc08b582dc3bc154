namespace RollbackKit.Webhooks;

/// <summary>An inbound HTTP request, as seen by a webhook handler (transport-neutral).</summary>
public sealed class WebhookRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="body">The raw body bytes (signatures are computed over these).</param>
    /// <param name="headers">Request headers; looked up case-insensitively.</param>
    /// <param name="contentType">The Content-Type header, if any.</param>
    public WebhookRequest(ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string> headers, string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        Body = body;
        Headers = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
        ContentType = contentType;
    }

    /// <summary>The raw body bytes.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Request headers (case-insensitive keys; multiple values joined with <c>,</c>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The Content-Type header, if any.</summary>
    public string? ContentType { get; }
}

/// <summary>The answer to an inbound webhook.</summary>
/// <param name="StatusCode">HTTP status code: 200/202 accepted, 400 malformed, 401 bad signature, 403 not allowed.</param>
/// <param name="Body">Response body, or <see langword="null"/>.</param>
/// <param name="ContentType">Content type of <paramref name="Body"/>.</param>
public readonly record struct WebhookResponse(int StatusCode, string? Body = null, string ContentType = "application/json");

/// <summary>
/// Turns an inbound webhook (Alertmanager, PagerDuty, policy breach, Slack interaction) into rollback requests or
/// approval decisions. <c>RollbackKit.AspNetCore</c> maps every registered handler to <c>POST {prefix}/{Name}</c>.
/// Handlers verify signatures themselves, in constant time, and never log secrets.
/// </summary>
public interface IInboundWebhookHandler
{
    /// <summary>Route segment and log name, for example <c>alertmanager</c>.</summary>
    string Name { get; }

    /// <summary>Handles one request. A malformed body is a 400 response, not an exception.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancelled when the caller goes away.</param>
    ValueTask<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellationToken);
}
