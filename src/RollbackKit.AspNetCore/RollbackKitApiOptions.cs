namespace RollbackKit.AspNetCore;

/// <summary>Options of the management API mapped by <c>MapRollbackKitApi()</c>.</summary>
public sealed class RollbackKitApiOptions
{
    /// <summary>
    /// The authorization policy every route requires; <see langword="null"/> (default) requires the default policy (an
    /// authenticated caller). Anonymous access only when the host calls <c>AllowAnonymous()</c> on the returned group.
    /// </summary>
    public string? AuthorizationPolicy { get; set; }
}
