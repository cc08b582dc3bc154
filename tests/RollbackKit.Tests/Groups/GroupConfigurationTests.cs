using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RollbackKit.Groups;
using RollbackKit.Internal;
using RollbackKit.Metrics;
using RollbackKit.Playbooks;
using RollbackKit.Testing;

namespace RollbackKit.Tests.Groups;

public sealed class GroupConfigurationTests
{
    private static RollbackKitOptions Options(params RollbackGroupDefinition[] groups)
    {
        var options = new RollbackKitOptions();
        options.Playbook.Steps.Add(new PlaybookStepDefinition { Type = "recording" });
        foreach (var id in new[] { "shop/api", "shop/web", "shop/db" })
        {
            options.Targets.Add(new TargetDefinition { Id = id });
        }

        options.Groups.AddRange(groups);
        return options;
    }

    private static string Validate(RollbackKitOptions options)
    {
        var result = new RollbackKitOptionsValidator([new RecordingPlaybookStep()]).Validate(null, options);
        return result.Failed ? result.FailureMessage : string.Empty;
    }

    [Fact]
    public void Validate_ValidGroups_NoErrors()
    {
        var options = Options(
            new RollbackGroupDefinition { Id = "checkout-stack", Targets = ["shop/api", "shop/web"], Order = RollbackGroupOrder.Parallel },
            new RollbackGroupDefinition { Id = "data", Targets = ["shop/db"] });

        Assert.Equal(string.Empty, Validate(options));
    }

    [Fact]
    public void Validate_UnknownTarget_NamesKeyPathAndValue()
    {
        var message = Validate(Options(new RollbackGroupDefinition { Id = "checkout-stack", Targets = ["shop/api", "shop/wbe"] }));

        Assert.Contains("RollbackKit:Groups:0:Targets:1: unknown target 'shop/wbe' (not in RollbackKit:Targets).", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TargetInTwoGroups_NamesBothGroups()
    {
        var message = Validate(Options(
            new RollbackGroupDefinition { Id = "checkout-stack", Targets = ["shop/api", "shop/web"] },
            new RollbackGroupDefinition { Id = "edge", Targets = ["shop/db", "shop/web"] }));

        Assert.Contains("RollbackKit:Groups:1:Targets:1: target 'shop/web' is already in group 'checkout-stack' (RollbackKit:Groups:0:Targets:1); a target can be in one group only.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateId_NamesFirstUse()
    {
        var message = Validate(Options(
            new RollbackGroupDefinition { Id = "checkout-stack", Targets = ["shop/api"] },
            new RollbackGroupDefinition { Id = "checkout-stack", Targets = ["shop/web"] }));

        Assert.Contains("RollbackKit:Groups:1:Id: duplicate group id 'checkout-stack' (already used by RollbackKit:Groups:0).", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyGroup_NamesGroup()
    {
        var message = Validate(Options(new RollbackGroupDefinition { Id = "checkout-stack" }));

        Assert.Contains("RollbackKit:Groups:0:Targets: group 'checkout-stack' is empty; list at least one target id.", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "RollbackKit:Groups:0:Id: is required.")]
    [InlineData("shop/api", "RollbackKit:Groups:0:Id: 'shop/api' is also a target id; a group id must differ from every target id.")]
    public void Validate_BadId_NamesKeyPath(string id, string expected)
    {
        Assert.Contains(expected, Validate(Options(new RollbackGroupDefinition { Id = id, Targets = ["shop/web"] })), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SameTargetTwiceInGroup_Refused()
    {
        var message = Validate(Options(new RollbackGroupDefinition { Id = "g", Targets = ["shop/api", "shop/api"] }));

        Assert.Contains("RollbackKit:Groups:0:Targets:1: target 'shop/api' is listed twice in group 'g'.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ExplicitOrderProblems_NameSequenceKeys()
    {
        var missing = Validate(Options(new RollbackGroupDefinition { Id = "g", Targets = ["shop/api", "shop/web"], Sequence = ["shop/web", "shop/db"] }));
        var without = Validate(Options(new RollbackGroupDefinition { Id = "g", Targets = ["shop/api"], Order = RollbackGroupOrder.Explicit }));
        var withOther = Validate(Options(new RollbackGroupDefinition { Id = "g", Targets = ["shop/api"], Order = RollbackGroupOrder.Listed, Sequence = ["shop/api"] }));

        Assert.Contains("RollbackKit:Groups:0:Sequence:1: 'shop/db' is not a member of the group (members: shop/api, shop/web).", missing, StringComparison.Ordinal);
        Assert.Contains("RollbackKit:Groups:0:Sequence: member 'shop/api' is missing; list every member of the group once.", missing, StringComparison.Ordinal);
        Assert.Contains("RollbackKit:Groups:0:Sequence: is required with Order Explicit", without, StringComparison.Ordinal);
        Assert.Contains("RollbackKit:Groups:0:Sequence: is only used with Order Explicit (Order is Listed)", withOther, StringComparison.Ordinal);
    }

    private const string Json = """
    {
      "RollbackKit": {
        "Targets": [ { "Id": "shop/api" }, { "Id": "shop/web" } ],
        "Playbook": { "Steps": [ { "Type": "recording" } ] },
        "Groups": [ { "Id": "checkout-stack", "Targets": [ "shop/api", "shop/web" ], "Order": "ORDER" } ]
      }
    }
    """;

    [Fact]
    public async Task AddRollbackKit_GroupsSection_BindsOrderAndSequence()
    {
        var json = Json.Replace("\"Order\": \"ORDER\"", "\"Sequence\": [ \"shop/web\", \"shop/api\" ]", StringComparison.Ordinal);
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IPlaybookStepFactory>(new RecordingPlaybookStep());
        services.AddRollbackKit(configuration.GetSection("RollbackKit"));
        await using var provider = services.BuildServiceProvider();

        var group = Assert.Single(provider.GetRequiredService<IOptions<RollbackKitOptions>>().Value.Groups);
        var plan = Assert.Single(provider.GetRequiredService<GroupCatalog>().Groups);

        Assert.Equal(["shop/api", "shop/web"], group.Targets);
        Assert.Null(group.Order);
        Assert.Equal(RollbackGroupOrder.Explicit, plan.Order);
        Assert.Equal(["shop/web", "shop/api"], plan.Sequence.Select(t => t.Id));
    }

    [Fact]
    public async Task HostStart_UnknownOrder_FailsNamingKeyPathAndValue()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json.Replace("ORDER", "Backwards", StringComparison.Ordinal))));
        builder.Services.AddSingleton<IMetricSource>(new FakeMetricSource());
        builder.Services.AddSingleton<IPlaybookStepFactory>(new RecordingPlaybookStep());
        builder.Services.AddRollbackKit(o => o.MonitorEnabled = false);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("RollbackKit:Groups:0:Order: 'Backwards'", ex.Message, StringComparison.Ordinal);
    }
}
