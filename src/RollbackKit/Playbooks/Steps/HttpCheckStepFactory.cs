using System.Globalization;
using System.Net;
using System.Text.Json;

namespace RollbackKit.Playbooks;

/// <summary>
/// <c>http</c>: GETs <c>url</c> and expects <c>expectedStatus</c> (default 200) and, optionally, the JSON field <c>jsonField</c>
/// (dot path) to equal <c>jsonValue</c>. 5xx and network errors are transient.
/// </summary>
internal sealed class HttpCheckStepFactory : IPlaybookStepFactory, IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public string Type => "http";

    public IPlaybookStep Create(PlaybookStepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var urlText = StepSettings.Require(definition, "url");
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new PlaybookConfigurationException("url", $"'{urlText}' is not an absolute http or https URL.");
        }

        var expected = 200;
        if (StepSettings.Get(definition, "expectedStatus") is { } statusText
            && (!int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out expected) || expected is < 100 or > 599))
        {
            throw new PlaybookConfigurationException("expectedStatus", $"'{statusText}' is not an HTTP status code (100-599).");
        }

        var jsonField = StepSettings.Get(definition, "jsonField");
        var jsonValue = definition.Settings.TryGetValue("jsonValue", out var v) ? v : null;
        if (jsonField is null && jsonValue is not null)
        {
            throw new PlaybookConfigurationException("jsonField", "is required when jsonValue is set.");
        }

        return new HttpCheckStep(definition.Name ?? "http", _client, url, expected, jsonField, jsonValue);
    }

    public void Dispose() => _client.Dispose();

    private sealed class HttpCheckStep(string name, HttpClient client, Uri url, int expectedStatus, string? jsonField, string? jsonValue) : IPlaybookStep, IRepeatableStep
    {
        public string Name { get; } = name;

        /// <summary>A GET check changes nothing: run again after an interrupted run.</summary>
        public bool IsRepeatable => true;

        public async ValueTask<StepResult> ExecuteAsync(PlaybookStepContext context, CancellationToken cancellationToken)
        {
            HttpResponseMessage response;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.TryAddWithoutValidation("Idempotency-Key", context.IdempotencyKey);
                response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                return StepResult.Failure($"GET {url.GetLeftPart(UriPartial.Path)} failed: {ex.Message}", transient: true);
            }

            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                context.Evidence.Add(
                    $"steps/{EvidenceCollector.SafeName(Name)}/attempt-{context.Attempt}-response.txt",
                    $"GET {url.GetLeftPart(UriPartial.Path)}\nstatus: {status}\n\n{StepSettings.Truncate(body, 64 * 1024)}");
                if (status != expectedStatus)
                {
                    return StepResult.Failure($"status {status}, expected {expectedStatus}", transient: status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable);
                }

                if (jsonField is null)
                {
                    return StepResult.Success($"status {status}");
                }

                return CheckJson(body);
            }
        }

        private StepResult CheckJson(string body)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException ex)
            {
                return StepResult.Failure($"response is not JSON: {ex.Message}", transient: true);
            }

            using (document)
            {
                var element = document.RootElement;
                foreach (var part in jsonField!.Split('.'))
                {
                    if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
                    {
                        return StepResult.Failure($"JSON field '{jsonField}' not found", transient: true);
                    }
                }

                if (jsonValue is null)
                {
                    return StepResult.Success($"JSON field '{jsonField}' present");
                }

                var actual = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
                return string.Equals(actual, jsonValue, element.ValueKind is JsonValueKind.True or JsonValueKind.False ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)
                    ? StepResult.Success($"JSON field '{jsonField}' = '{actual}'")
                    : StepResult.Failure($"JSON field '{jsonField}' = '{actual}', expected '{jsonValue}'", transient: true);
            }
        }
    }
}
