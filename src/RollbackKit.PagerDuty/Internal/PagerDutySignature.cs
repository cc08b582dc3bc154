using System.Security.Cryptography;
using System.Text;

namespace RollbackKit.PagerDuty.Internal;

/// <summary>PagerDuty v3 webhook signatures (HMAC-SHA256, compared in constant time).</summary>
internal static class PagerDutySignature
{
    /// <summary>HMAC-SHA256 of <paramref name="body"/> as lower-case hex.</summary>
    public static string HmacHex(string secret, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, mac);
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>Verifies <c>X-PagerDuty-Signature: v1=&lt;hex&gt;[,v1=&lt;hex&gt;…]</c> against any of the secrets.</summary>
    public static bool Verify(IEnumerable<string> secrets, ReadOnlySpan<byte> body, string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return false;
        }

        var candidates = header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var matched = false;
        foreach (var secret in secrets)
        {
            if (string.IsNullOrEmpty(secret))
            {
                continue;
            }

            var expected = Encoding.ASCII.GetBytes("v1=" + HmacHex(secret, body));
            foreach (var candidate in candidates)
            {
                // No early exit: every entry is compared so timing does not reveal which one matched.
                matched |= CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate.ToLowerInvariant()));
            }
        }

        return matched;
    }
}
