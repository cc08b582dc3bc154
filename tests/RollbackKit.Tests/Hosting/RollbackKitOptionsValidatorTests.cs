using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using NSubstitute;
using RollbackKit.Testing;

namespace RollbackKit.Tests.Hosting;

public class RollbackKitOptionsValidatorTests
{
    private const string ValidJson = """
    {
      "RollbackKit": {
        "EvaluationInterval": "00:00:15",
        "Targets": [ { "Id": "shop/checkout", "Labels": { "namespace": "shop", "name": "checkout" } } ],
        "Queries": [
          { "Name": "canary_error_rate", "Expression": "sum(rate(http_requests_total{namespace=\"{{namespace}}\",status=~\"5..\"}[5m]))" },
          { "Name": "baseline_error_rate", "Expression": "sum(rate(http_requests_total{namespace=\"{{namespace}}\",track=\"baseline\"}[5m]))" }
        ],
        "Triggers": [
          { "Name": "error-rate", "Condition": "canary_error_rate > baseline_error_rate * 1.5", "For": "00:05:00", "Severity": "Critical" }
        ],
        "Playbook": { "Steps": [ { "Type": "recording", "Timeout": "00:00:30" } ] }
      }
    }
    """;

    [Fact]
    public async Task HostStart_ValidJson_StartsAndBindsEverything()
    {
        using var host = BuildHost(ValidJson);
        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(15), options.EvaluationInterval);
        Assert.Equal("checkout", Assert.Single(options.Targets).Labels["name"]);
        Assert.Equal(2, options.Queries.Count);
        Assert.Equal(TimeSpan.FromMinutes(5), Assert.Single(options.Triggers).For);
        Assert.Equal(TimeSpan.FromSeconds(30), Assert.Single(options.Playbook.Steps).Timeout);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("\"Condition\": \"canary_error_rate > baseline_error_rate * 1.5\"", "\"Condition\": \"eror_rate > 1\"", "RollbackKit:Triggers:0:Condition: unknown name 'eror_rate' at 1")]
    [InlineData("\"Condition\": \"canary_error_rate > baseline_error_rate * 1.5\"", "\"Condition\": \"canary_error_rate > (1\"", "RollbackKit:Triggers:0:Condition:")]
    [InlineData("\"EvaluationInterval\": \"00:00:15\"", "\"EvaluationInterval\": \"00:00:00\"", "RollbackKit:EvaluationInterval: must be greater than zero")]
    [InlineData("{ \"Id\": \"shop/checkout\"", "{ \"Id\": \"\"", "RollbackKit:Targets:0:Id: is required")]
    [InlineData("\"Name\": \"baseline_error_rate\"", "\"Name\": \"canary_error_rate\"", "RollbackKit:Queries:1:Name: duplicate query name 'canary_error_rate'")]
    [InlineData("\"Name\": \"baseline_error_rate\"", "\"Name\": \"9lives\"", "RollbackKit:Queries:1:Name: '9lives' is not a valid name")]
    [InlineData("{ \"Name\": \"canary_error_rate\", \"Expression\"", "{ \"Name\": \"canary_error_rate\", \"Source\": \"graphite\", \"Expression\"", "RollbackKit:Queries:0:Source: no metric source named 'graphite'")]
    [InlineData("\"Type\": \"recording\"", "\"Type\": \"teleport\"", "RollbackKit:Playbook:Steps:0:Type: unknown step type 'teleport'")]
    [InlineData("\"Timeout\": \"00:00:30\"", "\"Timeout\": \"00:00:00\"", "RollbackKit:Playbook:Steps:0:Timeout: must be greater than zero")]
    [InlineData("\"EvaluationInterval\": \"00:00:15\",", "\"EvaluationInterval\": \"00:00:15\", \"Workflow\": { \"DeduplicationWindow\": \"00:00:00\" },", "RollbackKit:Workflow:DeduplicationWindow: must be greater than zero")]
    [InlineData("\"EvaluationInterval\": \"00:00:15\",", "\"EvaluationInterval\": \"00:00:15\", \"Workflow\": { \"NotifierDrainTimeout\": \"-00:00:01\" },", "RollbackKit:Workflow:NotifierDrainTimeout: must not be negative")]
    public async Task HostStart_InvalidConfig_FailsNamingKeyPath(string find, string replace, string expected)
    {
        Assert.Contains(find, ValidJson, StringComparison.Ordinal);
        using var host = BuildHost(ValidJson.Replace(find, replace, StringComparison.Ordinal));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_StepFactoryRejectsSetting_PrefixesKeyPath()
    {
        var factory = Substitute.For<IPlaybookStepFactory>();
        factory.Type.Returns("http");
        factory.Create(Arg.Any<PlaybookStepDefinition>()).Returns(_ => throw new PlaybookConfigurationException("url", "is required"));
        var validator = new RollbackKit.Internal.RollbackKitOptionsValidator([factory]);
        var options = new RollbackKitOptions();
        options.Targets.Add(new TargetDefinition { Id = "a", Playbook = new PlaybookDefinition { Steps = { new PlaybookStepDefinition { Type = "http" } } } });

        var result = validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("RollbackKit:Targets:0:Playbook:Steps:0:Settings:url: is required", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_QueriesWithoutAnySource_ExplainsHowToAddOne()
    {
        var validator = new RollbackKit.Triggers.TriggerOptionsValidator([]);
        var options = new RollbackKitOptions();
        options.Queries.Add(new MetricQueryDefinition { Name = "q", Expression = "up" });

        var result = validator.Validate(null, options);

        Assert.Contains("RollbackKit:Queries:0:Source: no metric source is registered", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BaselineOfUnknownQuery_NamesKeyPath()
    {
        var validator = new RollbackKit.Triggers.TriggerOptionsValidator([new FakeMetricSource()]);
        var options = new RollbackKitOptions();
        options.Queries.Add(new MetricQueryDefinition { Name = "error_rate", Expression = "x" });
        options.Baselines.Add(new BaselineDefinition { Name = "baseline.error_rate", Query = "eror_rate" });

        var result = validator.Validate(null, options);

        Assert.Contains("RollbackKit:Baselines:0:Query: unknown query 'eror_rate'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRollbackKit_CalledTwice_RegistersOnce()
    {
        var services = new ServiceCollection();
        services.AddRollbackKit();
        var count = services.Count;
        var builder = services.AddRollbackKit(o => o.EvaluationInterval = TimeSpan.FromSeconds(3));

        Assert.Same(services, builder.Services);
        Assert.Equal(count + 1, services.Count); // only the second Configure call
        await using var provider = services.BuildServiceProvider();
        Assert.Single(provider.GetServices<IHostedService>().OfType<RollbackKit.Hosting.RollbackMonitorHostedService>());
        Assert.Equal(TimeSpan.FromSeconds(3), provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value.EvaluationInterval);
    }

    [Fact]
    public async Task AddRollbackKit_ConfigurationSection_Binds()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(ValidJson))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IMetricSource>(new FakeMetricSource());
        services.AddSingleton<IPlaybookStepFactory>(new RecordingPlaybookStep());
        services.AddRollbackKit(configuration.GetSection("RollbackKit"));
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value;

        Assert.Equal("canary_error_rate > baseline_error_rate * 1.5", Assert.Single(options.Triggers).Condition);
    }

    private static IHost BuildHost(string json)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        builder.Services.AddSingleton<IMetricSource>(new FakeMetricSource());
        builder.Services.AddSingleton<IPlaybookStepFactory>(new RecordingPlaybookStep());
        builder.Services.AddRollbackKit(o => o.MonitorEnabled = false);
        return builder.Build();
    }
}
