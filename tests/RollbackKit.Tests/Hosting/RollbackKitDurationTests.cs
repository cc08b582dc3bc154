using System.Globalization;

namespace RollbackKit.Tests.Hosting;

public sealed class RollbackKitDurationTests
{
    [Theory]
    [InlineData("00:00:00", "0s")]
    [InlineData("00:00:03", "3s")]
    [InlineData("00:00:00.2500000", "250ms")]
    [InlineData("00:05:00", "5m")]
    [InlineData("01:30:00", "1h30m")]
    [InlineData("1.02:00:00", "1d2h")]
    [InlineData("00:01:01.5000000", "1m1s500ms")]
    [InlineData("-00:05:00", "-5m")]
    [InlineData("00:00:00.0001500", "00:00:00.0001500")]
    public void Format_WritesTheConfigurationForm(string timeSpan, string expected)
    {
        var value = TimeSpan.Parse(timeSpan, CultureInfo.InvariantCulture);

        Assert.Equal(expected, RollbackKitDuration.Format(value));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(10_000L)]
    [InlineData(-36_000_000_000L)]
    [InlineData(864_000_000_000L * 400 + 123_456_789_0000L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Format_ThenParse_GivesTheSameDuration(long ticks)
    {
        var value = TimeSpan.FromTicks(ticks);

        Assert.Equal(value, RollbackKitDuration.Parse(RollbackKitDuration.Format(value)));
    }
}
