namespace RollbackKit.Helm.Tests.Infrastructure;

/// <summary>Finds the real helm binaries installed by <c>bash eng/install-test-deps.sh</c>.</summary>
internal static class HelmBinaries
{
    /// <summary>Path of helm <paramref name="major"/> ("3" or "4"): env <c>ROLLBACKKIT_HELM{major}</c>, else <c>.tools/helm{major}/helm</c> in the repository.</summary>
    public static string Path(string major) => Path(major, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="Path(string)"/>, reading environment variables through <paramref name="environment"/>.</summary>
    public static string Path(string major, Func<string, string?> environment)
    {
        var variable = "ROLLBACKKIT_HELM" + major;
        var fromEnv = environment(variable);
        var path = !string.IsNullOrWhiteSpace(fromEnv)
            ? fromEnv
            : System.IO.Path.Combine(RepositoryRoot(), ".tools", "helm" + major, "helm");
        if (!File.Exists(path))
        {
            Assert.Fail($"helm {major} not found at '{path}' ({variable} or .tools/helm{major}/helm): run `bash eng/install-test-deps.sh` in the repository root.");
        }

        return path;
    }

    /// <summary>The directory holding RollbackKit.sln, found by walking up from the test assembly.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "RollbackKit.sln")))
        {
            directory = directory.Parent;
        }

        if (directory is null)
        {
            Assert.Fail($"RollbackKit.sln not found above '{AppContext.BaseDirectory}'");
        }

        return directory.FullName;
    }
}
