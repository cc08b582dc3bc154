using RollbackKit.Playbooks;

namespace RollbackKit.Tests.Playbooks;

public class StepFactoryValidationTests
{
    private static PlaybookStepDefinition Def(string type, Dictionary<string, string>? settings = null, List<string>? args = null) => new()
    {
        Type = type,
        Settings = new Dictionary<string, string>(settings ?? [], StringComparer.OrdinalIgnoreCase),
        Arguments = args ?? [],
    };

    [Theory]
    [InlineData(null, "url")]
    [InlineData("ftp://127.0.0.1/x", "url")]
    [InlineData("not a url", "url")]
    public void Http_InvalidUrl_NamesSetting(string? url, string setting)
    {
        var settings = url is null ? [] : new Dictionary<string, string> { ["url"] = url };
        var ex = Assert.Throws<PlaybookConfigurationException>(() => new HttpCheckStepFactory().Create(Def("http", settings)));
        Assert.Equal(setting, ex.Setting);
        Assert.StartsWith("Settings:url:", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("700")]
    public void Http_InvalidExpectedStatus_NamesSetting(string status)
    {
        var ex = Assert.Throws<PlaybookConfigurationException>(() => new HttpCheckStepFactory().Create(Def("http", new() { ["url"] = "http://127.0.0.1/", ["expectedStatus"] = status })));
        Assert.Equal("expectedStatus", ex.Setting);
    }

    [Fact]
    public void Http_JsonValueWithoutField_NamesSetting()
    {
        var ex = Assert.Throws<PlaybookConfigurationException>(() => new HttpCheckStepFactory().Create(Def("http", new() { ["url"] = "http://127.0.0.1/", ["jsonValue"] = "ok" })));
        Assert.Equal("jsonField", ex.Setting);
    }

    [Fact]
    public void Command_NoArguments_NamesArguments()
    {
        var ex = Assert.Throws<PlaybookConfigurationException>(() => new CommandStepFactory().Create(Def("command")));
        Assert.Contains("Arguments", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Command_MissingWorkingDirectory_NamesSetting()
    {
        var ex = Assert.Throws<PlaybookConfigurationException>(() => new CommandStepFactory().Create(Def("command", new() { ["workingDirectory"] = "/no/such/dir/rbk" }, ["/bin/true"])));
        Assert.Equal("workingDirectory", ex.Setting);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("soon")]
    [InlineData("-5s")]
    public void Delay_InvalidDuration_NamesSetting(string? duration)
    {
        var settings = duration is null ? [] : new Dictionary<string, string> { ["duration"] = duration };
        var ex = Assert.Throws<PlaybookConfigurationException>(() => new DelayStepFactory().Create(Def("delay", settings)));
        Assert.Equal("duration", ex.Setting);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("5x")]
    public void Delay_InvalidDuration_MessageQuotesValue(string duration)
    {
        var ex = Assert.Throws<PlaybookConfigurationException>(() => new DelayStepFactory().Create(Def("delay", new() { ["duration"] = duration })));
        Assert.StartsWith($"Settings:duration: '{duration}' ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m30s", 150_000)]
    [InlineData("1.00:00:00", 86_400_000)]
    public async Task Delay_DurationForms_ReadLikeEveryOtherDuration(string duration, int milliseconds)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var step = new DelayStepFactory().Create(Def("delay", new() { ["duration"] = duration }));
        var run = step.ExecuteAsync(PlaybookTestContext.Create(time), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(milliseconds - 1));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True((await run.WaitAsync(Workflow.WorkflowHarness.WaitLimit)).Succeeded);
    }

    [Fact]
    public void Delay_InvalidDuration_StartFailsNamingKeyPathAndValue()
    {
        var validator = new RollbackKit.Internal.RollbackKitOptionsValidator([new DelayStepFactory()]);
        var options = new RollbackKitOptions
        {
            Playbook = new PlaybookDefinition { Steps = [Def("delay", new() { ["duration"] = "1h30x" })] },
            Targets = [new TargetDefinition { Id = "web" }],
        };

        var result = validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("RollbackKit:Playbook:Steps:0:Settings:duration: '1h30x' is not a duration", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Builder_UnknownTypeCaseInsensitiveLookup_AndIndexInMessage()
    {
        var builder = PlaybookTestContext.Builder(TimeProvider.System);
        var built = builder.Build(new PlaybookDefinition { Steps = [Def("DELAY", new() { ["duration"] = "5s" })] });
        Assert.Equal("delay", built.Steps[0].Name);
        var ex = Assert.Throws<PlaybookConfigurationException>(() => builder.Build(new PlaybookDefinition { Steps = [Def("delay", new() { ["duration"] = "1s" }), Def("kubernetes.undo")] }));
        Assert.StartsWith("Steps:1:Type:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("kubernetes.undo", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Builder_InvalidTimeout_Throws()
    {
        var builder = PlaybookTestContext.Builder(TimeProvider.System);
        var def = Def("delay", new() { ["duration"] = "1s" });
        def.Timeout = TimeSpan.Zero;
        var ex = Assert.Throws<PlaybookConfigurationException>(() => builder.BuildStep(0, def));
        Assert.StartsWith("Timeout:", ex.Message, StringComparison.Ordinal);
    }
}
