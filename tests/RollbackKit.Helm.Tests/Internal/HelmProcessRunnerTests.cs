using Microsoft.Extensions.Time.Testing;
using RollbackKit.Helm.Internal;
using RollbackKit.Helm.Tests.Infrastructure;

namespace RollbackKit.Helm.Tests.Internal;

public class HelmProcessRunnerTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);
    private static readonly Dictionary<string, string?> s_noEnv = new(StringComparer.Ordinal);

    private const string SleeperBody = """
        sleep 300 &
        echo $! > "$dir/child.pid"
        echo $$ > "$dir/parent.pid"
        echo started
        echo 'still working, password=hunter2' >&2
        wait
        """;

    [Fact]
    public async Task RunAsync_ArgumentsWithSpacesAndQuotes_PassedVerbatimWithoutShell()
    {
        using var fake = FakeHelm.WithBody("""printf '%s\n' "$@" """);
        var runner = new HelmProcessRunner(TimeProvider.System);
        string[] args = ["a b", "it's", "$(touch /tmp/pwned)", "--set=x=1;rm -rf /", "\"q\""];

        var result = await runner.RunAsync(fake.Path, args, s_noEnv, s_bound, 10_000, CancellationToken.None);

        Assert.Equal(ProcessOutcome.Exited, result.Outcome);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(args, result.StandardOutput.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_CapturesExitCodeAndStderr()
    {
        using var fake = FakeHelm.WithBody("""echo partial; echo 'Error: UPGRADE FAILED: boom' >&2; exit 3""");
        var runner = new HelmProcessRunner(TimeProvider.System);

        var result = await runner.RunAsync(fake.Path, [], s_noEnv, s_bound, 10_000, CancellationToken.None);

        Assert.Equal(ProcessOutcome.Exited, result.Outcome);
        Assert.Equal(3, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal("partial\n", result.StandardOutput);
        Assert.Equal("Error: UPGRADE FAILED: boom\n", result.StandardError);
    }

    [Fact]
    public async Task RunAsync_Environment_SetsAndRemovesVariables()
    {
        using var fake = FakeHelm.WithBody("""echo "A=${RBK_A-unset} B=${RBK_B-unset}" """);
        var runner = new HelmProcessRunner(TimeProvider.System);
        Environment.SetEnvironmentVariable("RBK_B", "inherited");
        try
        {
            var env = new Dictionary<string, string?>(StringComparer.Ordinal) { ["RBK_A"] = "set", ["RBK_B"] = null };

            var result = await runner.RunAsync(fake.Path, [], env, s_bound, 10_000, CancellationToken.None);

            Assert.Equal("A=set B=unset\n", result.StandardOutput);
        }
        finally
        {
            Environment.SetEnvironmentVariable("RBK_B", null);
        }
    }

    [Fact]
    public async Task RunAsync_Timeout_KillsWholeProcessTree()
    {
        using var fake = FakeHelm.WithBody(SleeperBody);
        var time = new FakeTimeProvider();
        var runner = new HelmProcessRunner(time);

        var run = runner.RunAsync(fake.Path, [], s_noEnv, TimeSpan.FromSeconds(5), 10_000, CancellationToken.None);
        Assert.True(await TestHelm.PollAsync(() => fake.Exists("child.pid") && fake.Read("child.pid").Trim().Length > 0, s_bound), "the script never started its child");
        var child = int.Parse(fake.Read("child.pid").Trim());
        var parent = int.Parse(fake.Read("parent.pid").Trim());
        Assert.True(TestHelm.IsAlive(child));
        Assert.False(run.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(5));
        var result = await run.WaitAsync(s_bound);

        Assert.Equal(ProcessOutcome.TimedOut, result.Outcome);
        Assert.Equal(parent, result.ProcessId);
        Assert.Equal(TimeSpan.FromSeconds(5), result.Duration);
        Assert.Contains("started", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("still working", result.StandardError, StringComparison.Ordinal);
        Assert.True(await TestHelm.PollAsync(() => !TestHelm.IsAlive(child) && !TestHelm.IsAlive(parent), s_bound), "the child process survived the kill");
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsWholeProcessTree()
    {
        using var fake = FakeHelm.WithBody(SleeperBody);
        var runner = new HelmProcessRunner(TimeProvider.System);
        using var cts = new CancellationTokenSource();

        var run = runner.RunAsync(fake.Path, [], s_noEnv, TimeSpan.FromHours(1), 10_000, cts.Token);
        Assert.True(await TestHelm.PollAsync(() => fake.Exists("child.pid") && fake.Read("child.pid").Trim().Length > 0, s_bound), "the script never started its child");
        var child = int.Parse(fake.Read("child.pid").Trim());
        await cts.CancelAsync();
        var result = await run.WaitAsync(s_bound);

        Assert.Equal(ProcessOutcome.Cancelled, result.Outcome);
        Assert.True(await TestHelm.PollAsync(() => !TestHelm.IsAlive(child), s_bound), "the child process survived the kill");
    }

    [Fact]
    public async Task RunAsync_AlreadyCancelled_DoesNotStart()
    {
        using var fake = FakeHelm.WithBody("""touch "$dir/ran" """);
        var runner = new HelmProcessRunner(TimeProvider.System);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => runner.RunAsync(fake.Path, [], s_noEnv, s_bound, 10_000, new CancellationToken(canceled: true)));

        Assert.False(fake.Exists("ran"));
    }

    [Fact]
    public async Task RunAsync_LargeOutput_TruncatedButDrained()
    {
        using var fake = FakeHelm.WithBody("""head -c 300000 /dev/zero | tr '\0' 'x'; echo done >&2""");
        var runner = new HelmProcessRunner(TimeProvider.System);

        var result = await runner.RunAsync(fake.Path, [], s_noEnv, s_bound, 5_000, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(new string('x', 5_000) + "\n[truncated after 5000 characters]", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("done\n", result.StandardError);
    }

    [Fact]
    public async Task RunAsync_MissingBinary_ThrowsStartFailed()
    {
        var runner = new HelmProcessRunner(TimeProvider.System);

        var ex = await Assert.ThrowsAsync<ProcessStartFailedException>(
            () => runner.RunAsync("/no/such/helm", [], s_noEnv, s_bound, 10_000, CancellationToken.None));

        Assert.Contains("/no/such/helm", ex.Message, StringComparison.Ordinal);
    }
}
