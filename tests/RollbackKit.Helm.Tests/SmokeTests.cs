namespace RollbackKit.Helm.Tests;

public class SmokeTests
{
    [Fact]
    public void Assembly_Loads_HasName() => Assert.NotNull(typeof(SmokeTests).Assembly.GetName().Name);
}
