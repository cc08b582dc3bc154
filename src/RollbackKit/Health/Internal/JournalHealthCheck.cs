using System.Globalization;
using System.Security;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RollbackKit.Health.Internal;

/// <summary>
/// <c>rollbackkit-journal</c>: the journal's directory accepts a new file. Creates and deletes a probe file next to the
/// journal; never opens the journal itself.
/// </summary>
/// <param name="journalPath">The journal file path (as configured, resolved against the content root); <see langword="null"/> when the journal is not a file.</param>
/// <param name="journalType">The registered journal's type name, for the description when it is not a file.</param>
internal sealed class JournalHealthCheck(string? journalPath, string journalType) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (journalPath is null)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"the journal is not a file ({journalType}); nothing to check"));
        }

        string full;
        string directory;
        try
        {
            full = Path.GetFullPath(journalPath);
            directory = Path.GetDirectoryName(full) ?? full;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException or SecurityException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"journal path '{journalPath}' is not valid: {ex.Message}", data: Data(journalPath, journalPath, ex.Message)));
        }

        var probe = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $".rollbackkit-health-{Guid.NewGuid():N}.probe"));
        try
        {
            using (var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1))
            {
                stream.WriteByte(0);
            }

            File.Delete(probe);
            return Task.FromResult(HealthCheckResult.Healthy($"journal directory '{directory}' is writable", Data(full, directory, null)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SecurityException or NotSupportedException)
        {
            TryDelete(probe);
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"journal directory '{directory}' is not writable (journal '{full}'): {ex.Message}",
                data: Data(full, directory, ex.Message)));
        }
    }

    private static Dictionary<string, object> Data(string path, string directory, string? error)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["path"] = path, ["directory"] = directory };
        if (error is not null)
        {
            data["error"] = error;
        }

        return data;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The probe was never created, or cannot be removed: the result already says the directory is not writable.
        }
    }
}
