using Microsoft.Extensions.Options;
using RollbackKit.Testing;
using RollbackKit.Tests.Hosting;

namespace RollbackKit.Tests.Testing;

/// <summary>The example in src/RollbackKit.Testing/README.md, kept compiling and passing.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public async Task ErrorRateTrigger_FiresAfterFiveMinutesOfRegression()
    {
        await using var host = RollbackKitTestHost.Create(TestConfigs.ErrorRate);
        host.Source.Set("baseline_error_rate", 0.5)
            .Script("canary_error_rate", (TimeSpan.Zero, 0.5), (TimeSpan.FromMinutes(2), 5.2));

        await host.RunAsync(TimeSpan.FromMinutes(10));

        var rollback = Assert.Single(host.Dispatcher.Rollbacks);
        Assert.Equal(host.Source.Start + TimeSpan.FromMinutes(7), rollback.Evidence!.DetectedAt);
    }

    [Fact]
    public void Create_TypoInCondition_FailsWithKeyPath()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => RollbackKitTestHost.Create(o =>
        {
            TestConfigs.ErrorRate(o);
            o.Triggers[0].Condition = "eror_rate > 1";
        }));

        Assert.Contains("RollbackKit:Triggers:0:Condition: unknown name 'eror_rate' at 1", ex.Message, StringComparison.Ordinal);
    }
}
