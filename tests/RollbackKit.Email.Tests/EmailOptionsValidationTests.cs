using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RollbackKit.Email.Tests;

public sealed class EmailOptionsValidationTests
{
    private static Dictionary<string, string?> Valid(string section) => new()
    {
        [section + ":Host"] = "smtp.example.com",
        [section + ":From"] = "rollbackkit@example.com",
        [section + ":To:0"] = "oncall@example.com",
    };

    private static string Errors(Dictionary<string, string?> settings, Action<IRollbackKitBuilder, IConfiguration>? add = null)
    {
        using var provider = CustomSectionHost.Build(settings, add ?? (static (b, _) => b.AddEmail()));
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EmailOptions>>().Value).Message;
    }

    [Fact]
    public void AddEmail_BadAddressesAndValues_NameEachKeyPathAndValue()
    {
        const string S = "MyApp:Rollback:Email";
        var message = Errors(new()
        {
            [S + ":Host"] = "smtp.example.com",
            [S + ":From"] = "rollbackkit",
            [S + ":To:0"] = "not-an-address",
            [S + ":To:1"] = "oncall@example.com",
            [S + ":To:2"] = "a@b.example, c@d.example",
            [S + ":Port"] = "70000",
            [S + ":Timeout"] = "0s",
            [S + ":Results:0"] = "RollingBack",
            [S + ":Subject"] = "{Result} {Tagret}",
            [S + ":Username"] = "mailer",
            [S + ":EvidenceBaseUrl"] = "/evidence",
        });

        Assert.Contains($"{S}:From: 'rollbackkit' is not an e-mail address.", message, StringComparison.Ordinal);
        Assert.Contains($"{S}:To:0: 'not-an-address' is not an e-mail address.", message, StringComparison.Ordinal);
        Assert.Contains($"{S}:To:2: 'a@b.example, c@d.example' is not an e-mail address.", message, StringComparison.Ordinal);
        Assert.DoesNotContain($"{S}:To:1", message, StringComparison.Ordinal);
        Assert.Contains($"{S}:Port: 70000 is not a port", message, StringComparison.Ordinal);
        Assert.Contains($"{S}:Timeout: 00:00:00 must be positive.", message, StringComparison.Ordinal);
        Assert.Contains($"{S}:Results:0: 'RollingBack' is not a final result", message, StringComparison.Ordinal);
        Assert.Contains($"{S}:Subject: unknown placeholder '{{Tagret}}'", message, StringComparison.Ordinal);
        Assert.Contains($"{S}:Password must be set when {S}:Username is set.", message, StringComparison.Ordinal);
        Assert.Contains($"{S}:EvidenceBaseUrl: '/evidence' must be an absolute http(s) URL.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddEmail_NothingConfigured_NamesTheRequiredKeys()
    {
        var message = Errors([], static (b, _) => b.AddEmail(o => o.Port = 25));

        Assert.Contains("MyApp:Rollback:Email:Host must be set", message, StringComparison.Ordinal);
        Assert.Contains("MyApp:Rollback:Email:From must be set", message, StringComparison.Ordinal);
        Assert.Contains("MyApp:Rollback:Email:To must list at least one recipient address.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddEmail_UnknownKeyAndUnbindableValue_FailWithTheKeyPath()
    {
        var settings = Valid("MyApp:Rollback:Email");
        settings["MyApp:Rollback:Email:Recipients:0"] = "oncall@example.com";
        settings["MyApp:Rollback:Email:Security"] = "Tls";

        var message = Errors(settings);

        Assert.Contains("MyApp:Rollback:Email:Recipients: unknown key", message, StringComparison.Ordinal);
        Assert.Contains("MyApp:Rollback:Email:Security: 'Tls' is not valid", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("smtp.example.com", false, true)]
    [InlineData("smtp.example.com", true, false)]
    [InlineData("localhost", false, false)]
    [InlineData("127.0.0.1", false, false)]
    [InlineData("::1", false, false)]
    public void AddEmail_SecurityNone_AllowedOnlyOnLoopbackOrExplicitly(string host, bool allowUnencrypted, bool refused)
    {
        var settings = Valid("RollbackKit:Email");
        settings["RollbackKit:Email:Host"] = host;
        settings["RollbackKit:Email:Security"] = "None";
        settings["RollbackKit:Email:AllowUnencrypted"] = allowUnencrypted ? "true" : "false";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddRollbackKit().AddEmail();
        using var provider = services.BuildServiceProvider();

        if (refused)
        {
            var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EmailOptions>>().Value);
            Assert.Contains("RollbackKit:Email:Security: None sends mail and credentials in clear text to 'smtp.example.com'", ex.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(EmailSecurity.None, provider.GetRequiredService<IOptions<EmailOptions>>().Value.Security);
        }
    }

    [Fact]
    public void AddEmail_GivenSection_BindsDurationsListsAndDefaults()
    {
        var settings = Valid("Deploy:Mail");
        settings["Deploy:Mail:Timeout"] = "30s";
        settings["Deploy:Mail:To:1"] = "Release Managers <releases@example.com>";
        settings["Deploy:Mail:Results:0"] = "RollbackFailed";
        settings["Deploy:Mail:Results:1"] = "NeedsAttention";
        using var provider = CustomSectionHost.Build(settings, static (b, c) => b.AddEmail(c.GetSection("Deploy:Mail")));

        var options = provider.GetRequiredService<IOptions<EmailOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(30), options.Timeout);
        Assert.Equal(["oncall@example.com", "Release Managers <releases@example.com>"], options.To);
        Assert.Equal([RollbackState.RollbackFailed, RollbackState.NeedsAttention], options.Results);
        Assert.Equal(EmailSecurity.StartTls, options.Security);
        Assert.Equal(0, options.Port);
    }

    [Fact]
    public void AddEmail_GivenSection_ErrorsNameThatSection()
    {
        var settings = Valid("Deploy:Mail");
        settings["Deploy:Mail:To:0"] = "oncall(at)example.com";

        var message = Errors(settings, static (b, c) => b.AddEmail(c.GetSection("Deploy:Mail")));

        Assert.Contains("Deploy:Mail:To:0: 'oncall(at)example.com' is not an e-mail address.", message, StringComparison.Ordinal);
    }
}
