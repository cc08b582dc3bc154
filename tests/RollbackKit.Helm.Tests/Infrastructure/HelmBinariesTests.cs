using Xunit.Sdk;

namespace RollbackKit.Helm.Tests.Infrastructure;

public class HelmBinariesTests
{
    [Fact]
    public void Path_MissingBinary_FailsTellingHowToInstall()
    {
        var ex = Assert.Throws<FailException>(() => HelmBinaries.Path("3", _ => "/no/such/helm3"));

        Assert.Contains("helm 3 not found at '/no/such/helm3'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("run `bash eng/install-test-deps.sh`", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Path_NoEnvironmentVariable_FallsBackToRepositoryTools()
    {
        var expected = System.IO.Path.Combine(HelmBinaries.RepositoryRoot(), ".tools", "helm4", "helm");

        if (File.Exists(expected))
        {
            Assert.Equal(expected, HelmBinaries.Path("4", _ => null));
        }
        else
        {
            var ex = Assert.Throws<FailException>(() => HelmBinaries.Path("4", _ => null));
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }
    }
}
