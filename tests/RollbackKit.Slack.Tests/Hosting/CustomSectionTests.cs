using RollbackKit.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RollbackKit.Slack.Tests.Hosting;

public sealed class CustomSectionTests
{
    [Fact]
    public void AddSlack_UnderCustomRollbackKitSection_NamesRealKeyPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:Slack:MaxAttempts"] = "0", ["RollbackKit:Slack:BotToken"] = "xoxb-ignored" },
            static (b, _) => b.AddSlack());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SlackOptions>>().Value);

        Assert.Contains("MyApp:Rollback:Slack:BotToken or MyApp:Rollback:Slack:WebhookUrl must be set.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MyApp:Rollback:Slack:MaxAttempts must be at least 1.", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RollbackKit:Slack", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddSlack_GivenSection_BindsAndNamesItsPath()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["Chat:Slack:BotToken"] = "xoxb-1", ["Chat:Slack:Approvers:0"] = "nobody" },
            static (b, c) => b.AddSlack(c.GetSection("Chat:Slack")));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SlackOptions>>().Value);

        Assert.Contains("Chat:Slack:Channel (or SeverityChannels / TargetChannels) must be set when BotToken is used.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Chat:Slack:Approvers:0 must be a Slack user id", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddSlack_UnderCustomRollbackKitSection_BindsValues()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:Slack:BotToken"] = "xoxb-1", ["MyApp:Rollback:Slack:Channel"] = "#deploys" },
            static (b, _) => b.AddSlack(o => o.Channel = "#rollbacks"));

        var options = provider.GetRequiredService<IOptions<SlackOptions>>().Value;

        Assert.Equal("xoxb-1", options.BotToken);
        Assert.Equal("#rollbacks", options.Channel);
    }

    [Fact]
    public void AddSlack_CalledTwice_BindsAndValidatesOnceAndAppliesBothConfigurations()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:Slack:BotToken"] = "xoxb-1" },
            static (b, _) => b.AddSlack(o => o.Channel = "#first").AddSlack(o => o.MaxAttempts = 5));

        var options = provider.GetRequiredService<IOptions<SlackOptions>>().Value;

        Assert.Single(provider.GetServices<IValidateOptions<SlackOptions>>());
        Assert.Single(provider.GetServices<IConfigureOptions<SlackOptions>>(), static c => c.GetType().Name.StartsWith("BindAdapterOptions", StringComparison.Ordinal));
        Assert.Equal("xoxb-1", options.BotToken);
        Assert.Equal("#first", options.Channel);
        Assert.Equal(5, options.MaxAttempts);
    }

    [Fact]
    public void AddSlack_ThenGivenSection_TheSectionReplacesTheDefaultOne()
    {
        using var provider = CustomSectionHost.Build(
            new() { ["MyApp:Rollback:Slack:Channel"] = "#default", ["Chat:Slack:BotToken"] = "xoxb-2", ["Chat:Slack:Channel"] = "#chosen" },
            static (b, c) => b.AddSlack().AddSlack(c.GetSection("Chat:Slack")));

        var options = provider.GetRequiredService<IOptions<SlackOptions>>().Value;

        Assert.Equal("xoxb-2", options.BotToken);
        Assert.Equal("#chosen", options.Channel);
    }
}
