using System.Diagnostics;
using System.Runtime.InteropServices;
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
        var time = new ObservableFakeTimeProvider();
        var evidence = new EvidenceCollector();
        var pidFifo = Path.Combine(Path.GetTempPath(), "rbk-child-" + Guid.NewGuid().ToString("N"));
        await MakeFifoAsync(pidFifo);
        try
        {
            // The shell starts a child sleep; killing only the shell would leave the child running. The child's pid comes
            // back through a FIFO: reading it waits for the shell to write, not on the clock.
            var step = Build(time, TimeSpan.FromSeconds(5), "/bin/sh", "-c", "sleep 300 & echo $! > \"$0\"; wait", pidFifo);
            var run = StepExecutor.ExecuteAsync(step, PlaybookTestContext.Create(time, evidence), time, CancellationToken.None).AsTask();

            var child = int.Parse((await Task.Run(() => File.ReadAllText(pidFifo)).WaitAsync(WorkflowHarness.WaitLimit)).Trim());
            Assert.False(run.IsCompleted);
            await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(5)); // the step's timeout
            var result = await run.WaitAsync(WorkflowHarness.WaitLimit);

            Assert.False(result.Result.Succeeded);
            Assert.True(result.Result.Transient);
            Assert.Equal("timed out after 00:00:05", result.Result.Message);
            var command = evidence.Items.Single(i => i.Key == "steps/cmd/attempt-1-command.txt").Value;
            Assert.Contains("killed", command, StringComparison.Ordinal);
            var shell = int.Parse(command.Split('\n').Single(l => l.StartsWith("pid: ", StringComparison.Ordinal))[5..]);

            // The pipes reached end of file, so every process holding them (the shell and its sleep) is gone.
            Assert.Equal(string.Empty, evidence.Items.Single(i => i.Key == "steps/cmd/attempt-1-stdout.txt").Value);
            Assert.Equal(string.Empty, evidence.Items.Single(i => i.Key == "steps/cmd/attempt-1-stderr.txt").Value);
            await AssertExitedAsync(shell);
            await AssertExitedAsync(child);
        }
        finally
        {
            File.Delete(pidFifo);
        }
    }

    private static async Task MakeFifoAsync(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("/usr/bin/mkfifo", [path]) { UseShellExecute = false })!;
        await mkfifo.WaitForExitAsync().WaitAsync(WorkflowHarness.WaitLimit);
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>Waits for <paramref name="pid"/> to terminate through a pidfd (readable once it has exited), not by polling.</summary>
    private static async Task AssertExitedAsync(int pid)
    {
        var fd = PidFd.Open(pid);
        if (fd < 0)
        {
            Assert.Equal(PidFd.NoSuchProcess, Marshal.GetLastPInvokeError()); // already exited and reaped
            return;
        }

        try
        {
            var exited = await Task.Run(() => PidFd.WaitReadable(fd, (int)WorkflowHarness.WaitLimit.TotalMilliseconds));
            Assert.True(exited, $"process {pid} still running");
        }
        finally
        {
            PidFd.Close(fd);
        }
    }

    private static class PidFd
    {
        public const int NoSuchProcess = 3; // ESRCH

        private const long SysPidFdOpen = 434; // pidfd_open(2), Linux 5.3+
        private const short PollIn = 1;

        public static int Open(int pid) => (int)Syscall(SysPidFdOpen, pid, 0);

        public static bool WaitReadable(int fd, int timeoutMilliseconds)
        {
            var fds = new[] { new PollFd { Fd = fd, Events = PollIn } };
            return Poll(fds, 1, timeoutMilliseconds) == 1 && (fds[0].Revents & PollIn) != 0;
        }

        public static void Close(int fd) => Assert.Equal(0, CloseFd(fd));

        [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
        private static extern long Syscall(long number, int pid, uint flags);

        [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
        private static extern int Poll([In, Out] PollFd[] fds, ulong count, int timeout);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        private static extern int CloseFd(int fd);

        [StructLayout(LayoutKind.Sequential)]
        private struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }
    }
}
