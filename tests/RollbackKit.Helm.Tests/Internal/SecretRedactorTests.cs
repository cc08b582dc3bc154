using RollbackKit.Helm.Internal;

namespace RollbackKit.Helm.Tests.Internal;

public class SecretRedactorTests
{
    [Fact]
    public void RedactArguments_SetFlags_KeepKeysMaskValues()
    {
        var args = SecretRedactor.RedactArguments(
            ["upgrade", "web", "./chart", "--set", "db.password=hunter2,replicas=3", "--set-string=token=abc", "--set-file", "cert=/tmp/key.pem"]);

        Assert.Equal(
            ["upgrade", "web", "./chart", "--set", "db.password=***,replicas=***", "--set-string=token=***", "--set-file", "cert=***"],
            args);
    }

    [Fact]
    public void RedactArguments_TokenFlags_MaskWholeValue()
    {
        var args = SecretRedactor.RedactArguments(["status", "web", "--kube-token", "eyJhbGciOi", "--kube-token=eyJ2", "--namespace", "shop"]);

        Assert.Equal(["status", "web", "--kube-token", "***", "--kube-token=***", "--namespace", "shop"], args);
    }

    [Fact]
    public void RedactArguments_PlainArguments_Unchanged()
    {
        string[] args = ["rollback", "web", "2", "--wait=watcher", "--timeout", "300s", "--namespace", "shop"];

        Assert.Equal(args, SecretRedactor.RedactArguments(args));
    }

    [Theory]
    [InlineData("password=hunter2", "password=***")]
    [InlineData("DB_PASSWORD: hunter2 next", "DB_PASSWORD: *** next")]
    [InlineData("{\"apiToken\":\"abc def\",\"n\":1}", "{\"apiToken\":\"***\",\"n\":1}")]
    [InlineData("client_secret=xyz&x=1", "client_secret=***&x=1")]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "Authorization: Bearer ***")]
    [InlineData("Upgrade \"web\" failed: token=s3cr3t rejected", "Upgrade \"web\" failed: token=*** rejected")]
    public void RedactText_SecretLooking_Masked(string input, string expected) => Assert.Equal(expected, SecretRedactor.RedactText(input));

    [Theory]
    [InlineData("Error: release: not found")]
    [InlineData("{\"revision\":1,\"status\":\"deployed\",\"chart\":\"secret-store-0.1.0\"}")]
    [InlineData("Rollback was a success! Happy Helming!")]
    public void RedactText_Ordinary_Unchanged(string input) => Assert.Equal(input, SecretRedactor.RedactText(input));

    [Fact]
    public void FormatCommand_QuotesAndRedacts()
    {
        var line = SecretRedactor.FormatCommand("/opt/helm/helm", ["rollback", "web", "1", "--set", "password=x", "--kube-context", "my ctx"]);

        Assert.Equal("helm rollback web 1 --set password=*** --kube-context 'my ctx'", line);
    }
}
