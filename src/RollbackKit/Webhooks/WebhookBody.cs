using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace RollbackKit.Webhooks;

/// <summary>
/// Checks a webhook body before a handler reads it, and builds the RFC 7807 <c>application/problem+json</c> answer
/// for one that cannot be read. Problem texts say what is wrong and where, never what the body contains.
/// </summary>
public static class WebhookBody
{
    /// <summary>The media type of <see cref="Problem"/> answers: <c>application/problem+json</c>.</summary>
    public const string ProblemContentType = "application/problem+json";

    /// <summary>Checks that <paramref name="body"/> is valid UTF-8.</summary>
    /// <param name="body">The raw body bytes.</param>
    /// <param name="problem">Why it is not, naming the byte offset; <see langword="null"/> when it is.</param>
    /// <returns><see langword="true"/> when the body is valid UTF-8.</returns>
    public static bool TryValidateUtf8(ReadOnlySpan<byte> body, [NotNullWhen(false)] out string? problem)
    {
        if (Utf8.IsValid(body))
        {
            problem = null;
            return true;
        }

        var offset = 0;
        while (offset < body.Length && Rune.DecodeFromUtf8(body[offset..], out _, out var consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }

        problem = string.Create(CultureInfo.InvariantCulture, $"body is not valid UTF-8: invalid byte sequence at byte offset {offset}");
        return false;
    }

    /// <summary>
    /// Checks that <paramref name="body"/> is one well-formed JSON value in valid UTF-8 whose strings all decode
    /// (no lone UTF-16 surrogate escapes such as <c>\ud800</c>).
    /// </summary>
    /// <param name="body">The raw body bytes.</param>
    /// <param name="problem">Why it is not, naming the position; <see langword="null"/> when it is.</param>
    /// <returns><see langword="true"/> when the body can be read as JSON.</returns>
    public static bool TryValidateJson(ReadOnlySpan<byte> body, [NotNullWhen(false)] out string? problem)
    {
        if (!TryValidateUtf8(body, out problem))
        {
            return false;
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped && !Decodes(ref reader))
                {
                    problem = string.Create(
                        CultureInfo.InvariantCulture,
                        $"body has a string that is not valid Unicode (a lone UTF-16 surrogate escape such as \\ud800) at byte offset {reader.TokenStartIndex}");
                    return false;
                }
            }
        }
        catch (JsonException ex)
        {
            problem = string.Create(
                CultureInfo.InvariantCulture,
                $"body is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1} of that line)");
            return false;
        }

        problem = null;
        return true;

        static bool Decodes(ref Utf8JsonReader reader)
        {
            try
            {
                _ = reader.GetString();
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>An RFC 7807 answer (<c>application/problem+json</c>) with <c>type</c>, <c>title</c>, <c>status</c> and <c>detail</c>.</summary>
    /// <param name="statusCode">The HTTP status code, for example 400.</param>
    /// <param name="title">A short summary of the kind of problem.</param>
    /// <param name="detail">What exactly is wrong with this request; must not contain secrets.</param>
    /// <returns>The answer.</returns>
    public static WebhookResponse Problem(int statusCode, string title, string detail)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(detail);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "about:blank");
            w.WriteString("title", title);
            w.WriteNumber("status", statusCode);
            w.WriteString("detail", detail);
            w.WriteEndObject();
        }

        return new WebhookResponse(statusCode, Encoding.UTF8.GetString(buffer.WrittenSpan), ProblemContentType);
    }

    /// <summary>A 400 <c>Bad Request</c> problem answer whose <c>detail</c> is <paramref name="detail"/>.</summary>
    /// <param name="detail">What is wrong with the body; must not contain secrets.</param>
    /// <returns>The answer.</returns>
    public static WebhookResponse BadRequest(string detail) => Problem(400, "Bad Request", detail);
}
