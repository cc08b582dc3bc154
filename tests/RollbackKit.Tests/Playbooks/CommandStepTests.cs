using Microsoft.Extensions.Time.Testing;
using RollbackKit.Playbooks;
using RollbackKit.Tests.Workflow;

namespace RollbackKit.Tests.Playbooks;

public class CommandStepTests
{
    private static BuiltStep Build(TimeProvider time, TimeSpan timeout, params string[] args) =>
        PlaybookTestContext.Builder(time).BuildStep(0, new PlaybookStepDefinition { Type = "command", Name = "cmd", Arguments = [.. args], Timeout = timeout });

    [Fact]
    public async Task Command_Echo_SucceedsAndCapturesStdout()
    {
        var evidence = new EvidenceCollector();
        var step = Build(TimeProvider.System, TimeSpan.FromSeconds(30), "/bin/echo", "rolled back; $HOME not expanded");
        var result = await StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(TimeProvider.System, evidence), TimeProvider.System, CancellationToken.None);
        Assert.True(result.Result.Succeeded, result.Result.Message);
        Assert.Equal("rolled back; $HOME not expanded", result.Result.Message);
        var stdout = evidence.Items.Single(i => i.Key == "steps/cmd/attempt-1-stdout.txt").Value;
        Assert.Equal("rolled back; $HOME not expanded\n", stdout);
    }

    [Fact]
    public async Task Command_NonZeroExit_FailsWithExitCodeAndStderr()
    {
        var evidence = new EvidenceCollector();
        var step = Build(TimeProvider.System, TimeSpan.FromSeconds(30), "/bin/sh", "-c", "echo nope >&2; exit 3");
        var result = await StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(TimeProvider.System, evidence), TimeProvider.System, CancellationToken.None);
        Assert.False(result.Result.Succeeded);
        Assert.Equal("exit code 3: nope", result.Result.Message);
        Assert.Contains(evidence.Items, i => i.Key.EndsWith("stderr.txt", StringComparison.Ordinal) && i.Value == "nope\n");
    }

    [Fact]
    public async Task Command_MissingProgram_NonTransientFailure()
    {
        var step = Build(TimeProvider.System, TimeSpan.FromSeconds(30), "/no/such/program-rbk");
        var result = await StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(TimeProvider.System), TimeProvider.System, CancellationToken.None);
        Assert.False(result.Result.Succeeded);
        Assert.False(result.Result.Transient);
    }

    [Fact]
    public async Task Command_Timeout_KillsProcessTree()
    {
        var time = new FakeTimeProvider();
        var evidence = new EvidenceCollector();
        var pidFile = Path.Combine(Path.GetTempPath(), "rbk-child-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The shell starts a child sleep; killing only the shell would leave the child running.
            var step = Build(time, TimeSpan.FromSeconds(5), "/bin/sh", "-c", "sleep 300 & echo $! > \"$0\"; wait", pidFile);
            var run = StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(time, evidence), time, CancellationToken.None).AsTask();

            var deadline = DateTime.UtcNow + WorkflowHarness.WaitLimit;
            while (DateTime.UtcNow < deadline && !(File.Exists(pidFile) && new FileInfo(pidFile).Length > 0))
            {
                await Task.Delay(10);
            }

            var child = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim());
            Assert.False(run.IsCompleted);
            time.Advance(TimeSpan.FromSeconds(5));
            var result = await run.WaitAsync(WorkflowHarness.WaitLimit);

            Assert.False(result.Result.Succeeded);
            Assert.Contains("timed out", result.Result.Message, StringComparison.Ordinal);
            var command = evidence.Items.Single(i => i.Key.EndsWith("command.txt", StringComparison.Ordinal)).Value;
            Assert.Contains("killed", command, StringComparison.Ordinal);
            var shell = int.Parse(command.Split('\n').Single(l => l.StartsWith("pid: ", StringComparison.Ordinal))[5..]);
            await AssertExitedAsync(shell);
            await AssertExitedAsync(child);
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    private static async Task AssertExitedAsync(int pid)
    {
        var deadline = DateTime.UtcNow + WorkflowHarness.WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            if (!Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z")
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"process {pid} still running");
    }
}
