namespace RollbackKit.Email;

/// <summary>How the connection to the SMTP server is secured.</summary>
public enum EmailSecurity
{
    /// <summary>
    /// No TLS: mail and credentials travel in clear text. Allowed only when <see cref="EmailOptions.Host"/> is a loopback
    /// address or <see cref="EmailOptions.AllowUnencrypted"/> is set.
    /// </summary>
    None = 0,

    /// <summary>Connect in clear text, then upgrade with <c>STARTTLS</c> (port 587); a server that does not offer it is refused.</summary>
    StartTls = 1,

    /// <summary>TLS from the first byte (implicit TLS, port 465).</summary>
    SslOnConnect = 2,
}
