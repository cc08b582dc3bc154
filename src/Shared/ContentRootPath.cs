using Microsoft.Extensions.Hosting;

namespace RollbackKit.Internal;

/// <summary>
/// Resolves a relative file path from the options against the host's content root (<see cref="IHostEnvironment.ContentRootPath"/>)
/// when a host environment is registered, so that <c>./rollbackkit/journal.jsonl</c> means the same file whatever the
/// current directory of the process. Without a host environment, and for rooted paths, the path is left as it is.
/// </summary>
internal static class ContentRootPath
{
    public static string? Resolve(IHostEnvironment? environment, string? path)
    {
        if (environment is null || string.IsNullOrWhiteSpace(path) || string.IsNullOrEmpty(environment.ContentRootPath) || Path.IsPathRooted(path))
        {
            return path;
        }

        return Path.GetFullPath(Path.Combine(environment.ContentRootPath, path));
    }
}
