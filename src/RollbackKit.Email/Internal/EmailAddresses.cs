using System.Net;
using MimeKit;

namespace RollbackKit.Email.Internal;

/// <summary>Parses configured addresses and hosts the same way for validation and for sending.</summary>
internal static class EmailAddresses
{
    private static readonly ParserOptions Strict = new()
    {
        AddressParserComplianceMode = RfcComplianceMode.Strict,
        AllowAddressesWithoutDomain = false,
    };

    /// <summary>Parses one mailbox (<c>ops@example.com</c> or <c>Ops &lt;ops@example.com&gt;</c>) that has a domain.</summary>
    public static bool TryParse(string? text, out MailboxAddress mailbox)
    {
        mailbox = null!;
        if (string.IsNullOrWhiteSpace(text) || !MailboxAddress.TryParse(Strict, text.Trim(), out var parsed) || string.IsNullOrEmpty(parsed.Domain))
        {
            return false;
        }

        mailbox = parsed;
        return true;
    }

    /// <summary>The port for <paramref name="options"/>: the configured one, or the usual one for its security.</summary>
    public static int Port(EmailOptions options) => options.Port != 0 ? options.Port : options.Security switch
    {
        EmailSecurity.SslOnConnect => 465,
        EmailSecurity.None => 25,
        _ => 587,
    };

    /// <summary>Whether <paramref name="host"/> names this machine: <c>localhost</c> or a loopback address.</summary>
    public static bool IsLoopback(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return false;
        }

        var h = host.Trim().TrimStart('[').TrimEnd(']');
        return string.Equals(h, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(h, out var address) && IPAddress.IsLoopback(address));
    }
}
