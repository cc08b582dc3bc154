namespace RollbackKit.Email;

/// <summary>
/// E-mail settings, bound from <c>RollbackKit:Email</c>: the SMTP server, the sender and recipients of the summary mail
/// sent after each rollback finishes, and which results are mailed.
/// </summary>
public sealed class EmailOptions
{
    /// <summary>The configuration section: <c>RollbackKit:Email</c>.</summary>
    public const string SectionName = "RollbackKit:Email";

    /// <summary>The subject template used when <see cref="Subject"/> is not set.</summary>
    public const string DefaultSubject = "[RollbackKit] {Result}: {Target}";

    /// <summary>The SMTP server's host name or address. Required.</summary>
    public string? Host { get; set; }

    /// <summary>The SMTP port; 0 picks the usual one for <see cref="Security"/> (587 for STARTTLS, 465 for TLS on connect, 25 without TLS). Default: 0.</summary>
    public int Port { get; set; }

    /// <summary>How the connection is secured. Default: <see cref="EmailSecurity.StartTls"/>.</summary>
    public EmailSecurity Security { get; set; } = EmailSecurity.StartTls;

    /// <summary>Allows <see cref="EmailSecurity.None"/> for a host that is not a loopback address. Default: <see langword="false"/>.</summary>
    public bool AllowUnencrypted { get; set; }

    /// <summary>The SMTP user name; without it no authentication is attempted. Default: none.</summary>
    public string? Username { get; set; }

    /// <summary>The SMTP password; a secret, never logged and masked wherever RollbackKit redacts. Default: none.</summary>
    public string? Password { get; set; }

    /// <summary>The sender address, for example <c>RollbackKit &lt;rollbackkit@example.com&gt;</c>. Required.</summary>
    public string? From { get; set; }

    /// <summary>The recipient addresses. At least one is required.</summary>
    public List<string> To { get; set; } = [];

    /// <summary>
    /// The subject template; <c>{Result}</c>, <c>{Target}</c>, <c>{Trigger}</c>, <c>{Severity}</c> and <c>{RollbackId}</c>
    /// are replaced. Default: <see cref="DefaultSubject"/>.
    /// </summary>
    public string? Subject { get; set; }

    /// <summary>Time allowed for one mail (connect, authenticate, send), measured with the <see cref="TimeProvider"/>. Default: 8 seconds, inside the notifier timeout of 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// The results that are mailed (<c>RolledBack</c>, <c>RollbackFailed</c>, <c>Rejected</c>, <c>NeedsAttention</c>).
    /// Default: empty, meaning every result.
    /// </summary>
    public List<RollbackState> Results { get; set; } = [];

    /// <summary>
    /// Where evidence bundles can be downloaded; when set the mail links <c>{EvidenceBaseUrl}/{bundle file name}</c>,
    /// otherwise it shows the bundle's path. Default: none.
    /// </summary>
    public Uri? EvidenceBaseUrl { get; set; }
}
