using RollbackKit.Triggers;

namespace RollbackKit.Prometheus;

/// <summary>
/// Settings of the Alertmanager webhook signal, bound from <c>RollbackKit:Alertmanager</c> by default.
/// <see cref="BearerToken"/> and <see cref="Password"/> never appear in <see cref="ToString"/> or logs.
/// </summary>
public sealed class AlertmanagerSignalOptions
{
    /// <summary>The default configuration section path: <c>RollbackKit:Alertmanager</c>.</summary>
    public const string DefaultSectionPath = "RollbackKit:Alertmanager";

    /// <summary>Labels a firing alert must carry (all of them, exact values) to request a rollback. Default: <c>rollback="true"</c>.</summary>
    public Dictionary<string, string> Selectors { get; set; } = new(StringComparer.Ordinal) { ["rollback"] = "true" };

    /// <summary>The alert label that holds the severity (<c>critical</c>, <c>high</c>, <c>P0</c>, …). Default: <c>severity</c>.</summary>
    public string SeverityLabel { get; set; } = "severity";

    /// <summary>Severity when the alert has no recognised severity label. Default: <see cref="RollbackSeverity.High"/>.</summary>
    public RollbackSeverity DefaultSeverity { get; set; } = RollbackSeverity.High;

    /// <summary>
    /// When set, requests may authenticate with <c>Authorization: Bearer &lt;token&gt;</c> (Alertmanager's
    /// <c>http_config.authorization</c>); compared in constant time. Default: none.
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>
    /// With <see cref="Password"/>: requests may authenticate with HTTP basic authentication (Alertmanager's
    /// <c>http_config.basic_auth</c>); compared in constant time. Must not contain <c>:</c>. Default: none.
    /// </summary>
    public string? Username { get; set; }

    /// <summary>The basic-authentication password that goes with <see cref="Username"/>; never logged. Default: none.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Accept requests without credentials. Default: <see langword="false"/>: start fails unless <see cref="BearerToken"/>
    /// or <see cref="Username"/>/<see cref="Password"/> is set. When <see langword="true"/> and no credentials are
    /// configured, a warning is logged at start, because anyone who can reach the endpoint can request rollbacks.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>How many dispatched alert fingerprints are remembered to ignore repeats of the same alert. Default: 10000.</summary>
    public int MaxRememberedFingerprints { get; set; } = 10_000;

    /// <inheritdoc />
    public override string ToString() =>
        $"AlertmanagerSignalOptions {{ Selectors = [{string.Join(", ", Selectors.Select(static s => s.Key + "=" + s.Value))}], SeverityLabel = {SeverityLabel}, DefaultSeverity = {DefaultSeverity}, BearerToken = {(string.IsNullOrEmpty(BearerToken) ? "<none>" : "***")}, Username = {Username ?? "<none>"}, Password = {(string.IsNullOrEmpty(Password) ? "<none>" : "***")}, AllowAnonymous = {AllowAnonymous}, MaxRememberedFingerprints = {MaxRememberedFingerprints} }}";
}
