using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RollbackKit.Journal;
using RollbackKit.Notifications;
using RollbackKit.Playbooks;
using RollbackKit.Tests.Workflow;
using RollbackKit.Workflow;

namespace RollbackKit.Tests.Crash;

/// <summary>A host killed with SIGKILL in the middle of a step, then a new host on the same journal file.</summary>
public sealed class CrashTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rbk-crash-" + Guid.NewGuid().ToString("N"));

    public CrashTests() => Directory.CreateDirectory(_dir);

    private string JournalPath => Path.Combine(_dir, "journal.jsonl");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static PlaybookStepDefinition Step(string type, string[] args) => type == "http"
        ? new PlaybookStepDefinition { Type = "http", Name = "health-check", Timeout = TimeSpan.FromMinutes(5), Settings = { ["url"] = args[0] } }
        : new PlaybookStepDefinition { Type = "command", Name = "drain-traffic", Timeout = TimeSpan.FromMinutes(5), Arguments = [.. args] };

    /// <summary>Starts the crash host in a child process and returns it once <paramref name="inStep"/> says the step runs.</summary>
    private async Task<Process> StartChildAsync(string type, Func<Task> inStep, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(CrashHostProgram).Assembly.Location);
        info.ArgumentList.Add("crash-host");
        info.ArgumentList.Add(JournalPath);
        info.ArgumentList.Add(type);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var child = Process.Start(info)!;
        _ = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        var running = inStep();
        if (await Task.WhenAny(running, child.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60))) != running)
        {
            child.Kill();
            Assert.Fail("the crash host did not reach its step: " + await stderr);
        }

        return child;
    }

    private static async Task KillAsync(Process child)
    {
        child.Kill(); // SIGKILL on Unix: no shutdown, no finally blocks, no journal writes
        await child.WaitForExitAsync();
        Assert.Equal(137, child.ExitCode);
    }

    private WorkflowHarness Restart(PlaybookStepDefinition step) => WorkflowHarness.Create(
        o => o.Playbook = new PlaybookDefinition { Steps = [step] },
        s => s.AddSingleton<IRollbackJournal>(new FileRollbackJournal(JournalPath, NullLogger<FileRollbackJournal>.Instance)));

    [Fact]
    public async Task Sigkill_MidCommandStep_RestartPausesForDecisionInsteadOfRunningAgain()
    {
        var runs = Path.Combine(_dir, "runs.txt");
        var pid = Path.Combine(_dir, "pid");
        string[] args = ["sh", "-c", $"echo \"$ROLLBACKKIT_IDEMPOTENCY_KEY\" >> '{runs}'; echo $$ > '{pid}'; exec sleep 120"];
        var child = await StartChildAsync("command", async () =>
        {
            while (!File.Exists(pid) || (await File.ReadAllTextAsync(pid)).Trim().Length == 0)
            {
                await Task.Yield();
            }
        }, args);
        await KillAsync(child);
        using (var orphan = Process.GetProcessById(int.Parse((await File.ReadAllTextAsync(pid)).Trim(), System.Globalization.CultureInfo.InvariantCulture)))
        {
            orphan.Kill();
        }

        var key = Assert.Single(await File.ReadAllLinesAsync(runs));
        var entries = await new FileRollbackJournal(JournalPath, NullLogger<FileRollbackJournal>.Instance).ReadAsync();
        var rollbackId = Assert.Single(entries, e => e.Kind == JournalEntryKind.Requested).RollbackId;
        Assert.Equal($"{rollbackId}:0:1", key);
        Assert.Single(entries, e => e.Kind == JournalEntryKind.StepStarted);
        Assert.DoesNotContain(entries, e => e.Kind == JournalEntryKind.StepCompleted);

        await using var second = Restart(Step("command", args));
        await second.StartHostedServicesAsync();
        var question = await second.Notifier.WaitForAsync(RollbackEventKind.AwaitingApproval);

        Assert.Equal(rollbackId, question.RollbackId);
        Assert.Equal("drain-traffic", question.StepName);
        Assert.Contains("interrupted during step drain-traffic", question.Message, StringComparison.Ordinal);
        Assert.True(await second.Gate.DecideAsync(question.ApprovalId!, RollbackKit.Approval.ApprovalDecision.Rejected, "operator"));
        Assert.Equal(RollbackState.NeedsAttention, (await second.WaitAsync(rollbackId)).State);
        Assert.Single(await File.ReadAllLinesAsync(runs)); // never ran a second time
    }

    [Fact]
    public async Task Sigkill_MidRepeatableHttpCheck_RestartRunsItOnceMore()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/healthz";
        var requests = new List<string>();
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            var held = new List<TcpClient>();
            while (!stop.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var read = await stream.ReadAsync(buffer, stop.Token);
                lock (requests)
                {
                    requests.Add(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
                }

                if (requests.Count == 1)
                {
                    held.Add(client); // the first check hangs: the host is killed while it waits
                    firstArrived.TrySetResult();
                    continue;
                }

                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray(), stop.Token);
                client.Dispose();
            }
        });

        var child = await StartChildAsync("http", () => firstArrived.Task, url);
        await KillAsync(child);

        await using var second = Restart(Step("http", [url]));
        await second.StartHostedServicesAsync();
        var entries = await second.Journal.ReadAsync("app");
        var rollbackId = Assert.Single(entries, e => e.Kind == JournalEntryKind.Requested).RollbackId;
        var status = await second.WaitAsync(rollbackId);
        await stop.CancelAsync();

        Assert.Equal(RollbackState.RolledBack, status.State);
        Assert.Equal(2, requests.Count); // once before the kill, once after the restart
        Assert.Contains($"Idempotency-Key: {rollbackId}:0:1", requests[0], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(second.Notifier.Events, e => e.Kind == RollbackEventKind.AwaitingApproval);
    }
}
