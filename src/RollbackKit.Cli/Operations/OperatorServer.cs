using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace RollbackKit.Cli.Operations;

/// <summary>
/// The RollbackKit management API a command talks to: the base address (with its prefix, e.g.
/// <c>http://127.0.0.1:5000/rollbackkit</c>) from <c>--server</c> or <c>ROLLBACKKIT_SERVER</c>, and the bearer token from
/// <c>ROLLBACKKIT_TOKEN</c>. The token is only ever put in the <c>Authorization</c> header: no message names it.
/// </summary>
internal sealed class OperatorServer : IDisposable
{
    /// <summary>The environment variable holding the server's base address.</summary>
    public const string ServerVariable = "ROLLBACKKIT_SERVER";

    /// <summary>The environment variable holding the bearer token.</summary>
    public const string TokenVariable = "ROLLBACKKIT_TOKEN";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);
    private readonly HttpClient _client;

    public OperatorServer(Uri baseAddress, string? token)
    {
        BaseAddress = baseAddress;
        _client = new HttpClient { BaseAddress = WithSlash(baseAddress), Timeout = RequestTimeout };
        if (!string.IsNullOrWhiteSpace(token))
        {
            _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        }
    }

    /// <summary>The server's base address, as given (never holds the token).</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// The server from <paramref name="option"/> or, when not given, <c>ROLLBACKKIT_SERVER</c>; <see langword="null"/> when
    /// neither is set. Throws exit code 2 when the address is not an http(s) address.
    /// </summary>
    public static OperatorServer? FromOptionOrEnvironment(string? option)
    {
        var (text, source) = string.IsNullOrWhiteSpace(option)
            ? (Environment.GetEnvironmentVariable(ServerVariable), ServerVariable)
            : (option, "--server");
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException(ExitCodes.InvalidInput, $"{source}: '{text}' is not an http or https address such as http://127.0.0.1:5000/rollbackkit.");
        }

        return new OperatorServer(uri, Environment.GetEnvironmentVariable(TokenVariable));
    }

    /// <summary>GETs <paramref name="path"/> (relative to the base address) and reads the JSON answer.</summary>
    public async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> answer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendAsync(request, answer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="body"/> as JSON with <paramref name="method"/> and reads the JSON answer.</summary>
    public async Task<TAnswer> SendAsync<TBody, TAnswer>(
        HttpMethod method,
        string path,
        TBody body,
        JsonTypeInfo<TBody> bodyType,
        JsonTypeInfo<TAnswer> answer,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, bodyType)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return await SendAsync(request, answer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="body"/> as JSON with <paramref name="method"/>; the answer's body is not read.</summary>
    public async Task SendAsync<TBody>(HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, bodyType)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _client.Dispose();

    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> answer, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, answer, cancellationToken).ConfigureAwait(false)
                    ?? throw new JsonException("the answer is null");
            }
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCodes.Unexpected, $"{Describe(request)}: the answer is not the expected JSON ({e.Message}).");
        }
    }

    /// <summary>Sends the request; a refusal becomes a <see cref="CliException"/> with its exit code and the problem's detail.</summary>
    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            // The message is the socket's ("Connection refused (127.0.0.1:5000)"): it never holds request headers.
            throw new CliException(ExitCodes.SourceFailed, $"{Describe(request)}: the server is unreachable ({e.Message}).");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.SourceFailed, $"{Describe(request)}: no answer within {RequestTimeout.TotalSeconds:0} s.");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var detail = await ProblemDetail(response, cancellationToken).ConfigureAwait(false);
            var status = $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
            var suffix = detail is null ? string.Empty : ": " + detail;
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => new CliException(
                    ExitCodes.ServerRefused,
                    $"{Describe(request)}: {status}: the server refused the credentials{(string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TokenVariable)) ? $" (no token: set {TokenVariable})" : $" in {TokenVariable}")}{suffix}"),
                HttpStatusCode.Forbidden => new CliException(ExitCodes.ServerRefused, $"{Describe(request)}: {status}: the caller is not allowed to do this{suffix}"),
                HttpStatusCode.Conflict => new CliException(ExitCodes.RefusedByPolicy, $"{Describe(request)}: refused{suffix}"),
                HttpStatusCode.NotFound => new CliException(ExitCodes.NotFound, $"{Describe(request)}: {status}{suffix}"),
                HttpStatusCode.BadRequest => new CliException(ExitCodes.InvalidInput, $"{Describe(request)}: {status}{suffix}"),
                _ => new CliException(ExitCodes.Unexpected, $"{Describe(request)}: {status}{suffix}"),
            };
        }
    }

    /// <summary>The problem's <c>detail</c> (else its <c>title</c>) of an RFC 7807 answer, or <see langword="null"/>.</summary>
    private static async Task<string?> ProblemDetail(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var name in (ReadOnlySpan<string>)["detail", "title"])
            {
                if (document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()))
                {
                    return value.GetString();
                }
            }

            return null;
        }
        catch (Exception e) when (e is JsonException or HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The method and address, without query or user information.</summary>
    private string Describe(HttpRequestMessage request)
    {
        var uri = new Uri(_client.BaseAddress!, request.RequestUri!);
        return $"{request.Method} {uri.Scheme}://{uri.Authority}{uri.AbsolutePath}";
    }

    private static Uri WithSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new UriBuilder(uri) { Path = uri.AbsolutePath + "/" }.Uri;
}
