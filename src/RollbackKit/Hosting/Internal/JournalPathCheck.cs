namespace RollbackKit.Internal;

/// <summary>
/// Checks at start that the journal file can be written: creates its directory and opens it for append, so that an
/// unwritable path fails the start instead of the first rollback.
/// </summary>
internal static class JournalPathCheck
{
    public static void Validate(string? path, string key, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{key}: is required.");
            return;
        }

        try
        {
            var full = Path.GetFullPath(path);
            if (Path.GetDirectoryName(full) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }

            using var stream = new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            errors.Add($"{key}: cannot be opened for writing ('{path}'): {ex.Message}");
        }
    }
}
