using System.Diagnostics;

namespace RollbackKit.Helm.Tests.Infrastructure;

/// <summary>
/// A tiny shell script standing in for helm, to test our own process handling and step logic with scripted output.
/// (The real helm binaries carry the adapter tests; see the end-to-end tests.)
/// </summary>
internal sealed class FakeHelm : IDisposable
{
    private readonly TempDirectory _directory = new();

    private FakeHelm(string body)
    {
        Path = _directory.File("helm");
        File.WriteAllText(Path, "#!/usr/bin/env bash\ndir='" + _directory.Path + "'\n" + body);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Path { get; }

    public string Directory => _directory.Path;

    /// <summary>
    /// A scripted helm: <c>version</c> prints <paramref name="version"/>; <c>history</c> prints <c>history.json</c>
    /// (or <c>history-after.json</c> once a rollback ran); <c>rollback</c> exits with <c>rollback-exit</c> (default 0)
    /// printing <c>rollback-stderr</c>. Every call's arguments go to <c>calls.log</c>, one argument per line, calls
    /// separated by <c>--call--</c>; the helm home variables go to <c>env.log</c>.
    /// </summary>
    public static FakeHelm Scripted(string version = "v3.17.3+ge4da497")
    {
        var fake = new FakeHelm("""
            { echo '--call--'; printf '%s\n' "$@"; } >> "$dir/calls.log"
            printf 'HELM_CACHE_HOME=%s\nHELM_CONFIG_HOME=%s\nHELM_DATA_HOME=%s\n' "$HELM_CACHE_HOME" "$HELM_CONFIG_HOME" "$HELM_DATA_HOME" > "$dir/env.log"
            case "$1" in
              version) cat "$dir/version.txt"; exit 0 ;;
              history)
                if [ -f "$dir/history-exit" ]; then cat "$dir/history-stderr" >&2; exit "$(cat "$dir/history-exit")"; fi
                if [ -f "$dir/rolled-back" ] && [ -f "$dir/history-after.json" ]; then cat "$dir/history-after.json"; else cat "$dir/history.json"; fi
                exit 0 ;;
              status) cat "$dir/status.json"; exit 0 ;;
              rollback)
                touch "$dir/rolled-back"
                if [ -f "$dir/rollback-sleep" ]; then echo 'waiting for resources' >&2; sleep 300 & echo $! > "$dir/rollback-child.pid"; wait; fi
                if [ -f "$dir/rollback-exit" ]; then cat "$dir/rollback-stderr" >&2; exit "$(cat "$dir/rollback-exit")"; fi
                echo 'Rollback was a success! Happy Helming!'; exit 0 ;;
            esac
            echo "Error: unknown command \"$1\" for \"helm\"" >&2
            exit 1
            """);
        fake.Write("version.txt", version);
        return fake;
    }

    /// <summary>A script with the given body (the variable <c>dir</c> points at this fake's directory).</summary>
    public static FakeHelm WithBody(string body) => new(body);

    public void Write(string name, string content) => File.WriteAllText(System.IO.Path.Combine(Directory, name), content);

    public string Read(string name) => File.ReadAllText(System.IO.Path.Combine(Directory, name));

    public bool Exists(string name) => File.Exists(System.IO.Path.Combine(Directory, name));

    /// <summary>The recorded calls, each as its argument list.</summary>
    public List<string[]> Calls()
    {
        if (!Exists("calls.log"))
        {
            return [];
        }

        var calls = new List<string[]>();
        List<string>? current = null;
        foreach (var line in File.ReadAllLines(System.IO.Path.Combine(Directory, "calls.log")))
        {
            if (line == "--call--")
            {
                if (current is not null)
                {
                    calls.Add([.. current]);
                }

                current = [];
            }
            else
            {
                current?.Add(line);
            }
        }

        if (current is not null)
        {
            calls.Add([.. current]);
        }

        return calls;
    }

    public void Dispose() => _directory.Dispose();
}
