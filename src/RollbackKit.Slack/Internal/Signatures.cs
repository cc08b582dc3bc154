using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RollbackKit.Slack.Internal;

/// <summary>Slack request signature checks (HMAC-SHA256, compared in constant time).</summary>
internal static class Signatures
{
    /// <summary>Computes Slack's <c>v0=</c> signature: HMAC-SHA256 over <c>v0:{timestamp}:{body}</c>.</summary>
    public static string ComputeSlack(string signingSecret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes("v0:" + timestamp + ":");
        var data = ArrayPool<byte>.Shared.Rent(prefix.Length + body.Length);
        try
        {
            prefix.CopyTo(data, 0);
            body.CopyTo(data.AsSpan(prefix.Length));
            Span<byte> mac = stackalloc byte[32];
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), data.AsSpan(0, prefix.Length + body.Length), mac);
            return "v0=" + Convert.ToHexStringLower(mac);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }

    /// <summary>Verifies an <c>X-Slack-Signature</c> header value.</summary>
    public static bool VerifySlack(string signingSecret, string timestamp, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null || !header.StartsWith("v0=", StringComparison.Ordinal))
        {
            return false;
        }

        var expected = ComputeSlack(signingSecret, timestamp, body);
        return FixedTimeEqualsAscii(expected, header.Trim());
    }

    /// <summary>Compares two ASCII strings in time that depends only on their lengths.</summary>
    public static bool FixedTimeEqualsAscii(string expected, string actual)
    {
        var a = Encoding.ASCII.GetBytes(expected);
        var b = Encoding.ASCII.GetBytes(actual);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    /// <summary>Parses a Unix-seconds timestamp.</summary>
    public static bool TryParseUnixSeconds(string? text, out DateTimeOffset value)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and < 253402300799)
        {
            value = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }

        value = default;
        return false;
    }
}
